"""QR codes as inline SVG: plain markup (no script, no style attribute), so the pages' content
security policy lets them through and the print view needs no extra request."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(data: str, *, title: str, scale: int = 3) -> Markup:
    code = segno.make(data, error="m")
    # segno escapes nothing in the title: only fixed words go there.
    # A viewBox and no fixed size: the stylesheet gives it its printed size.
    return Markup(code.svg_inline(scale=scale, title=title, svgclass="qr", omitsize=True))
