"""Fits digit_recognizer/drawings.py's constants (ONE_DRAWING_OVERLAP, SAME_ROW, NARROW, CONFIDENT_ENERGY, then
NUMBER_SHARE and IN_NUMBER_ENERGY, then PAIR_ENERGY and PAIR_WIDTH) for the current model, and prints them with
what each choice does. Re-run it after retraining the model.

Data, all on seeds apart from the benchmarks' (seed 0): non-digit drawings of tests/nondigits.py, numbers
composed from pendigits writers (with gaps, touching, slanted on a wavy baseline, and with a decimal point, comma
or dash) and single
pendigits and optdigits digits, as benchmarks/read_numbers.py and benchmarks/rejection.py draw them. (optdigits
has 1,934 digits in all, so its digits here are in benchmarks/rejection.py's too; pendigits has 7,494.)
Every image goes through the reader once; each choice of constants is then replayed on the model's outputs.
The choice: the most non-digits rejected with real digits rejected at most TOLERANCE more often than with the rules
off, and each style of number read exactly at most NUMBERS_TOLERANCE less often than with only every piece of a
wide mark asked to be a digit (NUMBER_SHARE 1, what these first rules are tried with); then the NUMBER_SHARE and
IN_NUMBER_ENERGY that read the most numbers exactly without rejecting more real digits, giving up at most
NUMBER_TRADE of the non-digits rejected; then the PAIR_ENERGY and PAIR_WIDTH that reject the most non-digits (to
PAIR_TIE; of those, the one that reads the most numbers exactly), each style of number read exactly at most
NUMBERS_TOLERANCE less often than without them. "Rules off" reads each mark along the path `read` would read it
along without drawings.py: its finer path when drawings.reads_finer, else its coarse one.

    python benchmarks/fit_drawings.py --count 600 --seed 21 23  # per seed: 100 drawings per category, 600 digits
                                                                # per set, 200 numbers per style (the default)
    python benchmarks/fit_drawings.py --seed 31 --cache /tmp/seen.pickle  # keep what the model saw
"""
from __future__ import annotations

import argparse
import itertools
import os
import pickle
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo's packages
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from benchmarks.read_numbers import number_image
from benchmarks.rejection import real_digits
from digit_recognizer import drawings
from digit_recognizer.reader import Seen, candidates
from digit_recognizer.reader import seen as reader_seen
from digit_recognizer.recognizer import DigitRecognizer
from digit_recognizer.reading import DIGIT
from tests.handwriting import SEPARATORS, compose_number, load_pendigits, on_canvas
from tests.nondigits import CATEGORIES, drawings as nondigit_drawings

OVERLAPS = (1.01, 0.7, 0.5, 0.3, 0.2, 0.1, 0.05, 0.0)  # 1.01: never one drawing. (Milder first: ties keep it.)
SAME_ROWS = (0.5, 0.7, 0.9)
NARROWS = (0.0, 0.9, 1.0, 1.1, 1.2, 1.3)  # 0: no mark is narrow
CONFIDENT = (0.0, -10.0, -12.0, -13.0, -14.0, -15.0, -16.0, -18.0, -20.0)  # 0: any piece that is a digit will do
IN_NUMBERS = (-np.inf, -7.0, -6.0, -5.0, -4.0, -3.0, -2.0)  # -inf: the recognizer's threshold alone
SHARES = (1.0, 0.8, 0.75, 0.67, 0.6, 0.5)  # 1: every piece of a wide mark that is not a digit whole must be one
PAIRS = (np.inf, -9.0, -10.0, -11.0, -12.0, -13.0, -14.0, -15.0, -16.0, -17.0, -18.0)  # inf: a mark cut in two is
# cut, whatever its energy
PAIR_WIDTHS = (0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 14.0)  # 0: whatever its width
PAIR_TIE = 0.0025  # PAIR_ENERGY and PAIR_WIDTH: rejecting this much fewer non-digits than the most is as many
TOLERANCE = 0.005  # real digits rejected: at most this much more often than with the rules off...
NUMBERS_TOLERANCE = 0.02  # ...and numbers misread at most this much more often
NUMBER_TRADE = 0.01  # non-digits rejected: NUMBER_SHARE and IN_NUMBER_ENERGY may give up this much for numbers
REAL_DIGITS = ("pendigits", "optdigits")
NUMBERS = ("separated", "touching", "slanted", "with a separator")


def seen(recognizer: DigitRecognizer, image) -> Seen | None:
    """The image as `read` sees it, with the whole image framed as one after the marks' pieces whenever it has
    two marks or more (whether they are one drawing is replayed for each ONE_DRAWING_OVERLAP and SAME_ROW)."""
    layout, pieces, count = candidates(image, drawing=lambda layout, image: drawings.as_one(layout, image)
                                       if len(layout.groups) > 1 else [])
    if not pieces:
        return None
    return reader_seen(recognizer, layout, pieces, count, recognizer.logits(np.stack([piece.frame for piece in pieces])))


def replayed(item: Seen | None, overlap: float, same_row: float, narrow: float, confident: float,
             in_number: float = -np.inf, share: float = 1.0, pair: float = np.inf, pair_width: float = 0.0,
             off: bool = False) -> tuple[str, bool]:
    """(the text read, whether any mark was "not a digit") with these constants, or without drawings.py (`off`)."""
    if item is None:
        return "", False
    if off:
        kept = [row for group, coarse, finer in zip(item.layout.groups, item.chosen, item.finer) if group.kind == DIGIT
                for row in (finer if drawings.reads_finer(coarse, item.digit) else coarse)]
        return ("".join(str(int(item.logits[row].argmax())) for row in kept if item.digit[row]),
                any(not item.digit[row] for row in kept))
    joined = len(item.pieces) > item.count and drawings.one_drawing(item.layout.groups, overlap, same_row)
    rows = item.count + (1 if joined else 0)
    layout, chosen, digit = drawings.judged(item.layout, item.pieces[:rows],
                                            item.logits[:rows], item.chosen, item.digit[:rows], narrow, confident,
                                            in_number, share, pair, pair_width, finer=item.finer)
    kept = [row for group, group_rows in zip(layout.groups, chosen) if group.kind == DIGIT for row in group_rows]
    text = "".join(str(int(item.logits[row].argmax())) for row in kept if digit[row])
    return text, any(not digit[row] for row in kept)


def collect(recognizer: DigitRecognizer, count: int, seed: int) -> dict[str, list]:
    """name → [(Seen, expected text or None for a non-digit)]."""
    rng = np.random.default_rng([seed, 2])
    sets: dict[str, list] = {}
    per_category = max(1, count // 6)
    for category, image in nondigit_drawings(per_category, rng):
        sets.setdefault(category, []).append((seen(recognizer, image), None))
    for name, (images, labels) in real_digits(count, seed).items():
        sets[name] = [(seen(recognizer, image), str(label)) for image, label in zip(images, labels)]
    data = load_pendigits()
    for style, touching in (("separated", False), ("touching", True)):
        sets[style] = []
        for _ in range(count // 3):
            image, text = number_image(data, touching, ("transparent", "white", "photo")[rng.integers(3)], rng)
            sets[style].append((seen(recognizer, image), text))
    for name in ("slanted", "with a separator"):
        sets[name] = []
        for _ in range(count // 3):
            number = compose_number(data, int(rng.integers(1, 31)), int(rng.integers(2, 6)), rng, margin=60,
                                    **({"slant": rng.uniform(-0.35, 0.35), "wave": rng.uniform(0, 0.15)}
                                       if name == "slanted" else {"separator": SEPARATORS[rng.integers(3)]}))
            image = on_canvas(number.ink, ("transparent", "white", "photo")[rng.integers(3)], rng)
            sets[name].append((seen(recognizer, image), number.text))
    return sets


def scores(sets: dict[str, list], overlap: float, same_row: float, narrow: float, confident: float,
           in_number: float = -np.inf, share: float = 1.0, pair: float = np.inf, pair_width: float = 0.0,
           off: bool = False) -> dict[str, float]:
    """Non-digits rejected (mean over categories), each real-digit set's share rejected, each number style's
    share read exactly."""
    results = {name: [(replayed(item, overlap, same_row, narrow, confident, in_number, share, pair, pair_width, off),
                       expected)
                      for item, expected in items]
               for name, items in sets.items()}
    found = {"rejected": float(np.mean([np.mean([text == "" for (text, _), _ in results[category]])
                                        for category in CATEGORIES]))}
    for name in REAL_DIGITS:
        found[f"{name} rejected"] = float(np.mean([text == "" or not_a_digit for (text, not_a_digit), _ in results[name]]))
    for name in NUMBERS:
        found[f"{name} exact"] = float(np.mean([text == expected for (text, _), expected in results[name]]))
    return found


def rejects_digits(result: dict[str, float], off: dict[str, float]) -> bool:
    """Whether real digits are rejected more than TOLERANCE more often than with the rules `off`."""
    return any(result[f"{name} rejected"] > off[f"{name} rejected"] + TOLERANCE for name in REAL_DIGITS)


def hurts_digits(result: dict[str, float], off: dict[str, float], numbers: dict[str, float] | None = None) -> bool:
    """`rejects_digits`, or some style of number read exactly more than NUMBERS_TOLERANCE less often than in
    `numbers` (default: with the rules off)."""
    numbers = off if numbers is None else numbers
    return rejects_digits(result, off) or any(
        result[f"{name} exact"] < numbers[f"{name} exact"] - NUMBERS_TOLERANCE for name in NUMBERS)


def shown(result: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.1%}" for name, value in result.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=600,
                        help="per seed: drawings in all, digits per set, 3 × numbers per style (default 600)")
    parser.add_argument("--seed", type=int, nargs="+", default=[21, 23],
                        help="one or more, never the benchmarks' 0 (default 21 23)")
    parser.add_argument("--cache", type=Path, help="what the model made of the images: read from this file if it "
                        "exists, else written to it (stale once the model or the reader changes)")
    parser.add_argument("--keep-rules", action="store_true", help="keep drawings.py's constants but PAIR_ENERGY and "
                        "PAIR_WIDTH, and fit those")
    arguments = parser.parse_args()
    if arguments.cache and arguments.cache.exists():
        sets = pickle.loads(arguments.cache.read_bytes())
    else:
        recognizer, sets = DigitRecognizer.load(), {}
        for seed in arguments.seed:
            for name, items in collect(recognizer, arguments.count, seed).items():
                sets.setdefault(name, []).extend(items)
        if arguments.cache:
            arguments.cache.write_bytes(pickle.dumps(sets))
    off = scores(sets, 1.01, 1.0, 0.0, 0.0, off=True)
    print(f"rules off: {shown(off)}")
    if arguments.keep_rules:
        rules = (drawings.ONE_DRAWING_OVERLAP, drawings.SAME_ROW, drawings.NARROW, drawings.CONFIDENT_ENERGY)
        numbers = (drawings.IN_NUMBER_ENERGY, drawings.NUMBER_SHARE)
    else:
        rules = first_rules(sets, off)
        numbers = number_rules(sets, off, rules)
    pair, width, result = pair_rule(sets, off, rules, numbers)
    print(f"\nONE_DRAWING_OVERLAP = {rules[0]}\nSAME_ROW = {rules[1]}\nNARROW = {rules[2]}\nCONFIDENT_ENERGY = {rules[3]}\n"
          f"NUMBER_SHARE = {numbers[1]}\nIN_NUMBER_ENERGY = {numbers[0]}\nPAIR_ENERGY = {pair}\nPAIR_WIDTH = {width}\n"
          f"{shown(result)}")


def first_rules(sets: dict[str, list], off: dict[str, float]) -> tuple[float, float, float, float]:
    """ONE_DRAWING_OVERLAP, SAME_ROW, NARROW and CONFIDENT_ENERGY: the most non-digits rejected, digits not hurt."""
    every_piece = scores(sets, 1.01, 1.0, 0.0, 0.0)  # a wide mark read as pieces only when all of them are digits
    print(f"every piece a digit, no other rule: {shown(every_piece)}")
    best = None
    for overlap, same_row, narrow, confident in itertools.product(OVERLAPS, SAME_ROWS, NARROWS, CONFIDENT):
        result = scores(sets, overlap, same_row, narrow, confident)
        allowed = not hurts_digits(result, off, every_piece)
        print(f"overlap {overlap:.2f} same row {same_row:.1f} narrow {narrow:.1f} confident {confident:6.1f}: "
              f"{shown(result)}{'' if allowed else '  (hurts digits)'}")
        if allowed and (best is None or result["rejected"] > best[0]["rejected"] + 1e-9):
            best = (result, overlap, same_row, narrow, confident)
    return best[1:]  # (the first choice, the reference's own rules, is always allowed)


def number_rules(sets: dict[str, list], off: dict[str, float], rules: tuple) -> tuple[float, float]:
    """IN_NUMBER_ENERGY and NUMBER_SHARE: the most numbers read exactly, giving up at most NUMBER_TRADE of the
    non-digits rejected with `rules` (first_rules') and rejecting no more real digits."""
    rejected, numbers = scores(sets, *rules)["rejected"], None
    for share, in_number in itertools.product(SHARES, IN_NUMBERS):
        result = scores(sets, *rules, in_number, share)
        exact = float(np.mean([result[f"{name} exact"] for name in NUMBERS]))
        allowed = result["rejected"] >= rejected - NUMBER_TRADE and not rejects_digits(result, off)
        print(f"share {share:.2f}, in a number up to energy {in_number}: {shown(result)}"
              f"{'' if allowed else '  (rejects fewer)'}")
        if allowed and (numbers is None or exact > numbers[0] + 1e-9):
            numbers = (exact, in_number, share)
    return numbers[1:]


def pair_rule(sets: dict[str, list], off: dict[str, float], rules: tuple, numbers: tuple) -> tuple[float, float, dict]:
    """PAIR_ENERGY and PAIR_WIDTH, and what they score: the most non-digits rejected (to PAIR_TIE; of those, the most
    numbers read exactly), each style of number read exactly at most NUMBERS_TOLERANCE less often than without."""
    without = scores(sets, *rules, *numbers)
    print(f"no cut-in-two rule: {shown(without)}")
    allowed_pairs = []
    for pair, width in itertools.product(PAIRS, PAIR_WIDTHS):
        if pair == np.inf and width:
            continue
        result = scores(sets, *rules, *numbers, pair, width)
        allowed = not hurts_digits(result, off, without)
        print(f"a mark cut in two, pieces up to mean energy {pair} + {width} per height beyond one: {shown(result)}"
              f"{'' if allowed else '  (hurts digits)'}")
        if allowed:
            allowed_pairs.append((pair, width, result))
    most = max(result["rejected"] for _, _, result in allowed_pairs)  # (pair inf is always allowed)
    return max((item for item in allowed_pairs if item[2]["rejected"] >= most - PAIR_TIE),
               key=lambda item: np.mean([item[2][f"{name} exact"] for name in NUMBERS]))

if __name__ == "__main__":
    main()
