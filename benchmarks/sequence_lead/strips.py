"""A mark as a strip for the sequence reader: cropped to its ink, scaled to fit HEIGHT × WIDTH (aspect kept), and
redrawn in one stroke style: thinned to its skeleton (Zhang–Suen) at WORK px tall and drawn again with a round pen a
tenth of its height wide. MNIST's pen, a font's filled glyph and a tablet's round brush then look alike: without
this, a network trained on MNIST and fonts tells pen-drawn numbers from its training digits by their strokes and
calls them not digits.
"""
from __future__ import annotations

import cv2
import numpy as np

from benchmarks.stroke_owners import thinned

HEIGHT, WIDTH = 28, 140  # the strip (a 6-digit number fits at about 0.8 of a height per digit)
WORK = 64  # px tall when thinned and redrawn
INK = 0.3  # ink level of the skeleton's mask
PEN = 0.1  # the redrawn pen's width, times the work height


def strip(ink: np.ndarray) -> np.ndarray:
    """`ink` (float H×W, 1 = ink) as a HEIGHT × WIDTH strip in [0, 1], the drawing centred."""
    ink = _cropped(np.asarray(ink, np.float32))
    if ink.size == 0:
        return np.zeros((HEIGHT, WIDTH), np.float32)
    height, width = ink.shape
    scale = min(WORK / height, (WIDTH / HEIGHT) * WORK / width)
    work = cv2.resize(ink, (max(1, round(width * scale)), max(1, round(height * scale))),
                      interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    work /= max(float(work.max()), 1e-6)
    pen = max(3, round(PEN * work.shape[0]) | 1)
    skeleton = np.pad(thinned(work > INK).astype(np.float32), pen)
    redrawn = cv2.GaussianBlur(cv2.dilate(skeleton, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (pen, pen))), (3, 3), 0)
    redrawn = _cropped(redrawn)
    if redrawn.size == 0:
        return np.zeros((HEIGHT, WIDTH), np.float32)
    fit = min(HEIGHT / redrawn.shape[0], WIDTH / redrawn.shape[1])
    small = cv2.resize(redrawn, (max(1, round(redrawn.shape[1] * fit)), max(1, round(redrawn.shape[0] * fit))),
                       interpolation=cv2.INTER_AREA)
    out = np.zeros((HEIGHT, WIDTH), np.float32)
    top, left = (HEIGHT - small.shape[0]) // 2, (WIDTH - small.shape[1]) // 2
    out[top:top + small.shape[0], left:left + small.shape[1]] = np.clip(small, 0, 1)
    return out


def _cropped(ink: np.ndarray) -> np.ndarray:
    rows, columns = np.flatnonzero(ink.max(axis=1) > 0.1), np.flatnonzero(ink.max(axis=0) > 0.1)
    return ink[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1] if rows.size else ink[:0, :0]
