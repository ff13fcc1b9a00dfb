"""Maps drawn on the server: provinces (or, zoomed, one province's cities) shaded by a count of cases.

The shapes come from ``static/geo/china-boundaries.json`` (built by ``make map-data`` from the npm
package china-geojson; see scripts/build_boundaries.py): SVG path data keyed by administrative code,
read once per process. A shade is one of ``SHADES`` steps on a logarithmic scale of the largest
count shown, so one busy province does not leave the others blank.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

BOUNDARIES = Path(settings.BASE_DIR) / "static" / "geo" / "china-boundaries.json"
SHADES = 5
MARGIN = 4.0  # plane units around a zoomed province


@functools.cache
def boundaries() -> dict:
    return json.loads(BOUNDARIES.read_text(encoding="utf-8"))


@dataclass
class Shape:
    code: str
    name: str
    d: str
    count: int
    shade: int  # 0 (no case) … SHADES
    url: str = ""


def shade(count: int, largest: int) -> int:
    """0 for none; else 1…SHADES by log(count) over log(largest): 1 case and the largest count are the ends."""
    if count <= 0:
        return 0
    if largest <= 1:
        return SHADES
    return 1 + round((SHADES - 1) * math.log(count) / math.log(largest))


def shapes(counts: dict[str, int], province: str | None = None) -> tuple[list[Shape], list[dict], str]:
    """The shapes to draw with their counts, the unshaded extras (南海诸岛), and the SVG viewBox.

    ``province``: a province's code to draw its cities (or a municipality's districts); None for the
    country's provinces."""
    data = boundaries()
    if province:
        source = data["cities"].get(province, {})
        extras: list[dict] = []
    else:
        source = data["provinces"]
        extras = data["extra"]
    largest = max(counts.values(), default=0)
    out = [Shape(code, item["name"], item["d"], counts.get(code, 0), shade(counts.get(code, 0), largest))
           for code, item in sorted(source.items())]
    boxes = [item["box"] for item in source.values() if item.get("box")]
    if not boxes:
        return out, extras, "0 0 100 100"
    left, top = min(b[0] for b in boxes) - MARGIN, min(b[1] for b in boxes) - MARGIN
    right, bottom = max(b[2] for b in boxes) + MARGIN, max(b[3] for b in boxes) + MARGIN
    return out, extras, f"{left:.1f} {top:.1f} {right - left:.1f} {bottom - top:.1f}"


def has_cities(province: str) -> bool:
    return bool(boundaries()["cities"].get(province))
