"""Regenerates the example images: `python examples/make_examples.py [path/to/mnist.npz]`.

File names end in the digit they show (`mnist_7.png`); tests check the app reads each one so.
"""
import sys
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
MNIST_TEST_INDICES = {7: 0, 2: 1, 0: 3, 4: 4, 9: 7}  # the first test images of these digits

# Drawings: strokes in a 400×400 canvas, black brush on white, as a visitor would draw them.
DRAWINGS = {
    3: [[(130, 90), (230, 70), (280, 120), (250, 180), (190, 200), (260, 230), (280, 300), (220, 340), (120, 320)]],
    5: [[(270, 80), (150, 80), (140, 190), (220, 180), (270, 230), (260, 310), (190, 340), (120, 310)]],
    8: [[(200, 200), (140, 150), (150, 90), (210, 70), (260, 100), (255, 150), (200, 200), (140, 260),
         (150, 330), (210, 350), (265, 320), (265, 260), (200, 200)]],
}


def mnist_examples(mnist_path: Path) -> None:
    with np.load(mnist_path) as data:
        images = data["x_test"]
    for digit, index in MNIST_TEST_INDICES.items():
        enlarged = cv2.resize(images[index], (224, 224), interpolation=cv2.INTER_NEAREST)
        cv2.imwrite(str(HERE / f"mnist_{digit}.png"), enlarged)


def drawing_examples() -> None:
    for digit, strokes in DRAWINGS.items():
        canvas = np.full((400, 400), 255, np.uint8)
        for stroke in strokes:
            cv2.polylines(canvas, [np.array(stroke, np.int32)], False, 0, thickness=22, lineType=cv2.LINE_AA)
        cv2.imwrite(str(HERE / f"drawing_{digit}.png"), canvas)


def photo_example() -> None:
    """A '4' in pen on unevenly lit grey paper, with sensor noise, saved as a JPEG like a phone would."""
    ink = np.zeros((480, 640), np.uint8)
    for stroke in ([(300, 110), (250, 280), (390, 275)], [(360, 150), (350, 400)]):
        cv2.polylines(ink, [np.array(stroke, np.int32)], False, 255, thickness=9, lineType=cv2.LINE_AA)
    photographed(ink, "photo_4.jpg", np.random.default_rng(4), paper=(205, 45, 20), noise=6, quality=80)


def cheque_example() -> None:
    """The drawings' 3, 5 and 8 written in pen in a cheque's amount box, above the line across it, after the "$"
    printed before the box, photographed under a lamp (cropped tight round the box): `read` leaves the $, the box
    and the line out and reads 358."""
    height, width, left = 260, 600, 80  # (the box starts `left` px in, after the $)
    ink = np.zeros((height, width), np.uint8)
    cv2.putText(ink, "$", (8, 170), cv2.FONT_HERSHEY_SIMPLEX, 3.2, 255, 7, cv2.LINE_AA)  # the printed $...
    cv2.rectangle(ink, (left + 6, 6), (width - 7, height - 7), 255, 5)  # ...the printed box...
    cv2.line(ink, (left + 6, 200), (width - 7, 200), 255, 4)  # ...and its line
    for place, digit in enumerate((3, 5, 8)):  # each drawing's 400 px canvas shrunk to 150 px, just above the line
        for stroke in DRAWINGS[digit]:
            points = np.array(stroke, np.float64) * 0.5 + (left + 40 + 150 * place, 16)
            cv2.polylines(ink, [np.round(points).astype(np.int32)], False, 255, thickness=9, lineType=cv2.LINE_AA)
    photographed(ink, "cheque_358.jpg", np.random.default_rng(358), paper=(215, 40, 25), noise=5, quality=85)


def photographed(ink: np.ndarray, name: str, rng: np.random.Generator, paper: tuple[float, float, float],
                 noise: float, quality: int) -> None:
    """`ink` (uint8, 255 = pen) on paper lit unevenly (grey `paper[0]`, darker by `paper[1]` to the right and by
    `paper[2]` downwards), softened like a lens, with sensor noise and a warm cast as under a lamp, saved as a JPEG."""
    height, width = ink.shape
    rows, columns = np.mgrid[0:height, 0:width]
    level = paper[0] - paper[1] * (columns / width) - paper[2] * (rows / height)
    pen = cv2.GaussianBlur(ink, (5, 5), 1.2).astype(np.float64) / 255
    photo = level * (1 - 0.75 * pen) + rng.normal(0, noise, (height, width))
    colour = np.stack([photo * 0.95, photo, photo * 1.04], axis=-1)
    cv2.imwrite(str(HERE / name), np.clip(colour, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality])


if __name__ == "__main__":
    mnist_examples(Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parent.parent / "shared" / "data" / "mnist.npz"))
    drawing_examples()
    photo_example()
    cheque_example()
    print("wrote", ", ".join(sorted(path.name for path in HERE.glob("*_*.*") if path.suffix in (".png", ".jpg"))))
