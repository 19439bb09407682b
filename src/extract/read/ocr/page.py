"""One page image made ready: greyed, thresholded, deskewed and scaled to a readable size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from extract.read.ocr.rulings import open_line
from extract.read.ocr.tuning import MAX_SIDE, MAX_SKEW_DEG


@dataclass
class Page:
    """A page being read: the deskewed grey image and its ink."""

    grey: np.ndarray  # uint8, 255 = paper
    ink: np.ndarray  # bool, text and rulings (Otsu)
    line_ink: np.ndarray  # bool, a laxer threshold for thin rulings
    number: int | None




def prepare_page(image: Image.Image, number: int | None) -> Page:
    """The page in grey, level, with its ink at two thresholds. A scan finer than about 300 dpi
    is reduced first: more pixels only cost time."""
    image = image.convert("L")
    if max(image.size) > MAX_SIDE:
        factor = MAX_SIDE / max(image.size)
        image = image.resize((round(image.width * factor), round(image.height * factor)), Image.LANCZOS)
    grey = np.asarray(image)
    threshold = otsu_threshold(grey)
    angle = skew_angle(grey < threshold, _lax(grey, threshold))
    if abs(angle) > 0.01:
        grey = np.asarray(Image.fromarray(grey).rotate(-angle, resample=Image.BICUBIC, fillcolor=255))
    threshold = otsu_threshold(grey)
    return Page(grey, grey < threshold, _lax(grey, threshold), number)


def _lax(grey: np.ndarray, threshold: int) -> np.ndarray:
    """Ink at a laxer threshold: thin rulings come out grey once scanned."""
    return grey < min(235, (threshold + 255) // 2)


def otsu_threshold(grey: np.ndarray) -> int:
    """The grey level that best splits ink from paper (Otsu's method)."""
    hist = np.bincount(grey.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    between = (mean[-1] * weight / total - mean) ** 2 / np.maximum(weight * (total - weight), 1) * total
    return int(np.argmax(between[:-1])) + 1


def skew_angle(ink: np.ndarray, line_ink: np.ndarray, limit: float = MAX_SKEW_DEG) -> float:
    """Degrees the page is turned counter-clockwise. Long ruling lines, when the page has them,
    give the angle to a hundredth of a degree (a straight-line fit); otherwise the angle whose ink
    row profile is sharpest."""
    fitted = ruling_slope(line_ink)
    if fitted is not None:
        return fitted
    best = 0.0
    for pool, angles in ((4, np.arange(-limit, limit + 1e-9, 0.1)), (2, np.arange(-0.1, 0.1 + 1e-9, 0.01))):
        ys, xs = np.nonzero(_pool(ink, pool))
        if len(ys) < 50:
            return 0.0
        if len(ys) > 300_000:
            ys, xs = ys[:: len(ys) // 300_000 + 1], xs[:: len(xs) // 300_000 + 1]
        best = _sharpest(ys, xs, best + angles)
    return float(best)


def ruling_slope(line_ink: np.ndarray, max_deg: float = 2.0) -> float | None:
    """The page's angle from its long horizontal rulings (each fitted by least squares, the
    median taken), or None when it has fewer than two."""
    h, w = line_ink.shape
    tall = ndimage.maximum_filter1d(line_ink, 5, axis=0)  # a tilted line stays one run
    lines = open_line(tall, max(25, w // 30), axis=1)
    labels, count = ndimage.label(lines)
    angles = []
    for index, box in enumerate(ndimage.find_objects(labels), start=1):
        if box is None or box[1].stop - box[1].start < w // 5 or box[0].stop - box[0].start > 0.04 * w:
            continue
        ys, xs = np.nonzero((labels[box] == index) & line_ink[box])
        if len(xs) < 50:
            continue
        slope = np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)[0]
        angles.append(-np.degrees(np.arctan(slope)))
    if len(angles) < 2:
        return None
    angle = float(np.median(angles))
    return angle if abs(angle) <= max_deg else None


def _pool(mask: np.ndarray, k: int) -> np.ndarray:
    h, w = (mask.shape[0] // k) * k, (mask.shape[1] // k) * k
    return mask[:h, :w].reshape(h // k, k, w // k, k).any(axis=(1, 3))


def _sharpest(ys: np.ndarray, xs: np.ndarray, angles: np.ndarray) -> float:
    scores = []
    for angle in angles:
        rows = np.round(ys + xs * np.tan(np.radians(angle))).astype(np.int64)
        counts = np.bincount(rows - rows.min())
        scores.append(float(np.dot(counts, counts)))
    return float(angles[int(np.argmax(scores))])
