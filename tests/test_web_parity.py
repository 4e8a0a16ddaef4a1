"""The browser's image work (web/preprocess.js, segment.js, reader.js in Chromium) against the Python modules it
ports, stage by stage, on the same pixels: ink map, digit box, MNIST frame, marks and cuts, the reading."""
import numpy as np
import pytest

from benchmarks.web import CHROMIUM, answer, browser_page, pixels_of, rendered_inputs, static_server
from digit_recognizer import preprocess, segment
from digit_recognizer.recognizer import DigitRecognizer

STAGES_IN_PAGE = """async ([name, width, height, channels]) => {
    const preprocess = await import('./preprocess.js');
    const { findMarks } = await import('./segment.js');
    await window.digitPage.ready;
    const data = new Uint8Array(await (await fetch('/inputs/' + name)).arrayBuffer());
    const pixels = { width, height, channels, data };
    const factor = preprocess.shrinkFactor(pixels, preprocess.WORK_SIDE);
    const ink = preprocess.readInk(pixels, factor);
    const frame = preprocess.toMnistFrame(pixels);
    const layout = findMarks(pixels);
    return {
        factor, ink: Array.from(ink.data), inkShape: [ink.height, ink.width], box: preprocess.digitBox(ink),
        frame: frame && Array.from(frame.data),
        groups: layout.groups.map((group) => [group.kind, group.box, group.cuts, group.pieces.length,
            group.pieces.filter((piece) => piece.coarse).length, group.line ?? 0]),
        reading: await window.digitPage.read(pixels),
    };
}"""


@pytest.fixture(scope="module")
def page():
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    served = {}
    with static_server() as url, browser_page(url) as (page, _):
        page.route("**/inputs/*", lambda route: route.fulfill(body=served.pop(route.request.url.rsplit("/", 1)[1])))
        page.goto(f"{url}/index.html")
        page.served = served
        yield page


@pytest.fixture(scope="module")
def recognizer():
    return DigitRecognizer.load()


def long_numbers():
    """Two 6-digit touching numbers as flat as a dash (a lone mark's dash test looks at its columns' ink), and one
    drawn thin on a wide canvas, which ink per column alone took for a dash (see test_segment)."""
    from tests.handwriting import load_pendigits, long_touching_numbers, on_canvas

    rng = np.random.default_rng(9)
    found = [(f"long number {composed.text}", pixels_of(on_canvas(composed.ink, "white", rng)))
             for composed in long_touching_numbers(load_pendigits(), 2, rng)]
    rng = np.random.default_rng(12)
    thin = long_touching_numbers(load_pendigits(), 5, rng, height=90.0, margin=100)[-1]
    return found + [(f"thin long number {thin.text}", pixels_of(on_canvas(thin.ink, "transparent", rng)))]


def boxed_numbers():
    """Numbers with a box drawn round them (frames.js finds and leaves out the box), one with a line across the box, two
    after a printed $ outside the box (left out)."""
    from tests.handwriting import after_a_cheque_dollar, compose_number, load_pendigits, on_a_cheque, on_canvas, with_box

    rng, data = np.random.default_rng(21), load_pendigits()
    found = []
    for length, canvas in ((1, "white"), (3, "photo")):
        composed = compose_number(data, int(rng.integers(1, 31)), length, rng, margin=50)
        ink, _ = with_box(composed.ink, max(2, int(0.6 * composed.brush)))
        found.append((f"boxed number {composed.text} ({canvas})", pixels_of(on_canvas(ink, canvas, rng))))
    composed = compose_number(data, 7, 4, rng, margin=60)  # in a box with a line across it, the digits on the line
    ink = on_a_cheque(composed, max(4, int(composed.brush)), max(2, int(0.6 * composed.brush)))
    found.append((f"boxed number over a line {composed.text}", pixels_of(on_canvas(ink, "photo", rng))))
    rng = np.random.default_rng(41)  # test_segment's 2nd cheque (9289): its box, all round the photo, is its border
    for length in (3, 4):
        composed = compose_number(data, int(rng.integers(1, 31)), length, rng, margin=60, height=100)
    ink = on_a_cheque(composed, max(3, int(0.6 * composed.brush)), max(2, int(0.6 * composed.brush)))
    found.append((f"tightly cropped cheque {composed.text}", pixels_of(on_canvas(ink, "photo", np.random.default_rng(3)))))
    rng = np.random.default_rng(43)  # test_segment's two digits in a box over a line across it (39)
    composed = compose_number(data, int(rng.integers(1, 31)), 2, rng, margin=60)
    ink = on_a_cheque(composed, max(2, int(0.6 * composed.brush)), max(2, int(0.6 * composed.brush)))
    found.append((f"two digits in a box over a line {composed.text}", pixels_of(on_canvas(ink, "photo", np.random.default_rng(4)))))
    rng = np.random.default_rng(7)  # test_segment's first number in a box after a printed $ (the $ left out, outside)
    for composed, canvas in ((compose_number(data, int(rng.integers(1, 31)), 1, rng, margin=60), "photo"),
                             (compose_number(data, 11, 4, rng, margin=60), "white")):
        ink = after_a_cheque_dollar(with_box(composed.ink, max(2, int(0.6 * composed.brush)))[0], composed.brush)
        pixels = pixels_of(on_canvas(ink, canvas, np.random.default_rng(2)))
        found.append((f"$ before a box round {composed.text}", pixels))
    return found


def underlined_numbers():
    """Two numbers over a line that their digits touch, level and turned 2.5° (frames.js finds and leaves out the line)."""
    from tests.handwriting import compose_number, load_pendigits, on_a_cheque, on_canvas

    rng, data = np.random.default_rng(31), load_pendigits()
    found = []
    for length, angle in ((3, 0.0), (4, 2.5)):
        composed = compose_number(data, int(rng.integers(1, 31)), length, rng, margin=60, height=100)
        ink = on_a_cheque(composed, max(4, int(composed.brush)), angle=angle)
        found.append((f"underlined number {composed.text} ({angle}°)", pixels_of(on_canvas(ink, "photo", rng))))
    rng = np.random.default_rng(47)  # test_segment's first two digits over a line (79): shorter than 2.7 × their height
    composed = compose_number(data, int(rng.integers(1, 31)), 2, rng, margin=60)
    ink = on_a_cheque(composed, max(2, int(0.6 * composed.brush)))
    found.append((f"underlined two digits {composed.text}", pixels_of(on_canvas(ink, "photo", np.random.default_rng(5)))))
    return found


def stacked_numbers():
    """Two numbers one under the other (lines.js reads them line by line), close together and further apart."""
    from tests.handwriting import compose_number, load_pendigits, on_canvas, one_under_the_other

    rng, data = np.random.default_rng(51), load_pendigits()
    found = []
    for gap, canvas in ((5, "white"), (30, "photo")):
        first, second = (compose_number(data, 11, length, rng, margin=20) for length in (3, 2))
        ink = one_under_the_other(first.ink, second.ink, gap)
        found.append((f"{first.text} over {second.text} ({canvas})", pixels_of(on_canvas(ink, canvas, rng))))
    return found


INPUTS = (list(rendered_inputs(digits=1, numbers=8, seed=7)) + long_numbers() + boxed_numbers()
          + underlined_numbers() + stacked_numbers())  # every form, numbers of 1–4 and 6 digits, two lines


@pytest.mark.parametrize("name, pixels", INPUTS, ids=[name for name, _ in INPUTS])
def test_browser_stages_match_python(page, recognizer, name, pixels):
    key = str(len(page.served) + id(pixels))  # (a name safe in a URL)
    page.served[key] = pixels.tobytes()
    stages = page.evaluate(STAGES_IN_PAGE, [key, pixels.shape[1], pixels.shape[0], pixels.shape[2]])

    factor = preprocess._shrink_factor(pixels.shape, preprocess.WORK_SIDE)
    ink = preprocess._read_ink(pixels, factor)
    assert stages["factor"] == factor
    assert tuple(stages["inkShape"]) == ink.shape
    # (the browser's float32 filters against OpenCV's: photos differ by up to about 0.001 of full ink)
    assert np.abs(np.float32(stages["ink"]).reshape(ink.shape) - ink).max() <= 2e-3

    box = preprocess._digit_box(ink)
    assert (tuple(stages["box"]) if stages["box"] else None) == box

    frame = preprocess.to_mnist_frame(pixels)
    assert (stages["frame"] is None) == (frame is None)
    if frame is not None:
        assert np.abs(np.float32(stages["frame"]).reshape(28, 28) - frame).max() <= 0.02

    layout = segment.find_marks(pixels)
    python_groups = [[group.kind, list(group.box), group.cuts, len(group.pieces),
                      sum(piece.coarse for piece in group.pieces), group.line] for group in layout.groups]
    assert stages["groups"] == python_groups

    reading = recognizer.read(pixels)
    assert answer(stages["reading"]) == answer(reading)
    for mark, other in zip(reading.marks, stages["reading"]["marks"]):
        assert (other["kind"], tuple(other["box"]), other["line"]) == (mark.kind, mark.box, mark.line)
        for digit, probability in mark.probabilities.items():
            # (frames may differ by 0.02 of full ink, as above: the "02" photo's cut 0 reads 0.7749 against 0.7729)
            assert other["probabilities"][digit] == pytest.approx(probability, abs=3e-3)


def test_the_fitted_constants_are_the_same_in_the_browser():
    """reader.js and drawings.js copy reader.py's and drawings.py's fitted constants by hand (the fitting scripts print
    them for the Python files): a refit pasted into one file only would make the static page read otherwise."""
    import re

    from conftest import REPO_ROOT
    from digit_recognizer import drawings, reader

    for module, names in ((reader, ("PIECE_WEIGHTS", "MEDIAN_WIDTH", "CUT_TEMPERATURE", "CLASS_ENERGY_SHIFT")),
                          (drawings, ("ONE_DRAWING_OVERLAP", "SAME_ROW", "NARROW", "CONFIDENT_ENERGY", "NUMBER_SHARE",
                                      "IN_NUMBER_ENERGY", "PAIR_ENERGY", "PAIR_WIDTH"))):
        script = (REPO_ROOT / "web" / f"{module.__name__.rsplit('.', 1)[1]}.js").read_text()
        for name in names:
            found = re.search(rf"^(?:export )?const {name} = (\[[^\]]*\]|[-0-9.]+);", script, re.MULTILINE)
            assert found, name
            in_browser = np.array([float(value) for value in found.group(1).strip("[]").split(",")])
            np.testing.assert_array_equal(in_browser, np.atleast_1d(getattr(module, name)), err_msg=name)
