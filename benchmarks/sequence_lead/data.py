"""Training strips for the sequence reader, made with the training notebook's own code (its cells are run here, so
nothing that tests/ or the benchmarks draw is trained on): rows of 1–6 touching MNIST training digits (70 %) or digits
typed in the notebook's fonts and OpenCV's Hershey fonts (30 %), labelled with their digits; and non-digits labelled
with none: the notebook's generated drawings, Quick, Draw! doodles and rows of typed letters.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from benchmarks.sequence_lead.strips import strip

NOTEBOOK = Path(__file__).resolve().parents[2] / "CNN_Model_Training.ipynb"
MAX_DIGITS = 6
SETUP, DATA, FRAMING, OUTLIERS, ROWS = 5, 7, 11, 14, 15  # the notebook's cells this needs
HERSHEY = ("FONT_HERSHEY_SIMPLEX", "FONT_HERSHEY_COMPLEX", "FONT_HERSHEY_TRIPLEX", "FONT_HERSHEY_SCRIPT_SIMPLEX",
           "FONT_HERSHEY_SCRIPT_COMPLEX", "FONT_HERSHEY_DUPLEX", "FONT_HERSHEY_PLAIN")


def notebook_code(mnist_path: str) -> dict:
    """The notebook's parameters, data, framing, drawing generators and touching rows, as a namespace."""
    import matplotlib

    matplotlib.use("Agg")
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    source = ["".join(cells[index]["source"]) for index in range(len(cells))]
    code: dict = {}
    exec(source[2], code)  # the parameters
    code["MNIST_PATH"] = mnist_path
    for index in (SETUP, DATA, FRAMING):
        exec(source[index], code)
    exec(source[OUTLIERS].split("synthetic_count =")[0], code)  # the generators, without generating the set
    exec(source[ROWS].split("pair_count =")[0], code)
    return code


def training_strips(digit_rows: int, non_digits: int, seed: int, mnist_path: str, quickdraw_path: str):
    """(strips (N, 28, 140), labels (N, MAX_DIGITS): digit + 1, 0 = none), digit rows first."""
    import cv2

    code = notebook_code(mnist_path)
    rng = code["rng"] = np.random.default_rng(seed)
    fonts = [getattr(cv2, name) for name in HERSHEY]

    def typed(character: str) -> np.ndarray:
        if rng.random() < 0.5:
            return code["rendered_character"](character)
        font, thickness, side = fonts[rng.integers(len(fonts))], int(rng.integers(2, 9)), code["CANVAS"]
        ink = np.zeros((side, side), np.uint8)
        scale = cv2.getFontScaleFromHeight(font, side // 3, thickness)
        (width, height), _ = cv2.getTextSize(character, font, scale, thickness)
        cv2.putText(ink, character, ((side - width) // 2, (side + height) // 2), font, scale, 255, thickness, cv2.LINE_AA)
        return code["jittered"](ink.astype(np.float32) / 255)

    def row(images: list) -> np.ndarray:
        return code["touching_row"](images)[0] if len(images) > 1 else code["crop_to_ink"](images[0])

    images, labels = code["x_train"][..., 0], code["y_train"]
    strips, targets = [], []
    for _ in range(digit_rows):
        count = int(rng.integers(1, MAX_DIGITS + 1))
        if rng.random() < 0.7:
            chosen = rng.integers(len(images), size=count)
            digits, ink = [int(labels[i]) for i in chosen], row([images[i] for i in chosen])
        else:
            digits = [int(d) for d in rng.integers(10, size=count)]
            ink = row([typed(str(d)) for d in digits])
        strips.append(strip(ink))
        targets.append([d + 1 for d in digits] + [0] * (MAX_DIGITS - count))
    with np.load(quickdraw_path) as doodles:
        doodles = doodles["images"]
    letters = code["LETTERS"]
    for _ in range(non_digits):
        kind = rng.random()
        if kind < 0.5:
            ink = code["synthetic_outlier"]()[1]
        elif kind < 0.7:
            ink = doodles[rng.integers(len(doodles))] / 255.0
        else:
            ink = row([typed(letters[i]) for i in rng.integers(len(letters), size=int(rng.integers(1, 5)))])
        strips.append(strip(ink))
        targets.append([0] * MAX_DIGITS)
    return np.array(strips, np.float32), np.array(targets, np.int64)
