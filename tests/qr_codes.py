"""Reading the QR codes the app draws: the modules of an SVG path as segno writes it (rows of
horizontal strokes, one module high) painted into an image, decoded by zxing-cpp."""

from __future__ import annotations

import re

import numpy as np
import zxingcpp

QUIET_ZONE = 4
PIXELS_PER_MODULE = 6


def read_qr_path(d: str) -> list[str]:
    """The texts of the QR codes drawn by the SVG path data `d` (in modules, no transform)."""
    strokes = []
    x = y = 0.0
    for command, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", d):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            strokes.append((int(y), int(x), int(x + float(first))))
            x += float(first)
    size = max(end for _, _, end in strokes) + QUIET_ZONE
    image = np.full((size, size), 255, dtype=np.uint8)
    for row, start, end in strokes:
        image[row, start:end] = 0
    scaled = np.kron(image, np.ones((PIXELS_PER_MODULE, PIXELS_PER_MODULE), dtype=np.uint8))
    return [found.text for found in zxingcpp.read_barcodes(scaled)]
