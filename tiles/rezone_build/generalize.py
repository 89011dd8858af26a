"""Generalisation of polygon coverages per zoom, keeping shared borders shared.

* :func:`simplify_coverage` simplifies a whole coverage at once (``shapely.coverage_simplify``):
  every shared edge is simplified once, so neighbours keep identical borders (no gaps, no slivers).
* :func:`dissolve` merges the polygons of a coverage by group (e.g. a profession's zone code).
* :func:`absorb_small` gives every part smaller than an area threshold to the neighbouring group
  it shares the longest border with, so patches too small to be seen at a zoom vanish without
  leaving a hole; isolated tiny islands are dropped.

All geometries are planar (Web Mercator metres) and form a valid coverage on input.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence

import numpy as np
import shapely

__all__ = ["absorb_small", "dissolve", "simplify_coverage", "union_coverage"]


def simplify_coverage(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify a polygon coverage as a whole; empty/None entries stay as they are."""
    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    if ok.any() and tolerance > 0:
        out[ok] = shapely.coverage_simplify(geoms[ok], tolerance)
    return out


def union_coverage(geoms: Sequence) -> shapely.Geometry:
    """Union of polygons forming a valid coverage (fast path), falling back to a general union."""
    arr = np.asarray([g for g in geoms if g is not None and not g.is_empty], dtype=object)
    if len(arr) == 0:
        return shapely.Polygon()
    if len(arr) == 1:
        return arr[0]
    u = shapely.coverage_union_all(arr)
    if not u.is_valid:
        u = shapely.union_all(arr)
    return u


def dissolve(geoms: Sequence, groups: Sequence[Hashable]) -> dict[Hashable, shapely.Geometry]:
    """Union of the polygons of each group."""
    by: dict[Hashable, list] = defaultdict(list)
    for g, k in zip(geoms, groups):
        if g is not None and not g.is_empty:
            by[k].append(g)
    return {k: union_coverage(v) for k, v in by.items()}


def absorb_small(zones: dict[Hashable, shapely.Geometry], min_area: float,
                 max_passes: int = 8) -> dict[Hashable, shapely.Geometry]:
    """Reassign parts smaller than ``min_area`` to the neighbouring group with the longest shared border.

    Parts are processed from the smallest up; a part without any neighbour (an island) is dropped
    if it is small. The result is dissolved again by group, and passes repeat until no small part
    changes group (two small neighbours merged together may still be small after one pass).
    """
    for _ in range(max_passes):
        zones, changed = _absorb_pass(zones, min_area)
        if not changed:
            break
    return zones


def _absorb_pass(zones, min_area):
    keys, parts = [], []
    for k, g in zones.items():
        for p in shapely.get_parts(g):
            if not p.is_empty:
                keys.append(k)
                parts.append(p)
    if not parts:
        return {}, False
    parts_arr = np.asarray(parts, dtype=object)
    areas = shapely.area(parts_arr)
    small = np.flatnonzero(areas < min_area)
    if len(small) == 0:
        return dict(zones), False
    tree = shapely.STRtree(parts_arr)
    bounds = shapely.boundary(parts_arr)
    keep = np.ones(len(parts), dtype=bool)
    changed = False
    for i in small[np.argsort(areas[small], kind="stable")]:
        nbr = tree.query(parts_arr[i], predicate="intersects")
        nbr = nbr[(nbr != i) & keep[nbr]]
        if len(nbr) == 0:
            keep[i] = False  # an isolated speck (small island): nothing to merge with, no gap left
            changed = True
            continue
        cand = np.asarray([j for j in nbr if keys[j] != keys[i]], dtype=int)
        if len(cand) == 0:
            continue
        # clip the (possibly huge) neighbour outlines to this part's box before the overlay
        x0, y0, x1, y1 = shapely.bounds(parts_arr[i])
        near = shapely.clip_by_rect(bounds[cand], x0 - 1, y0 - 1, x1 + 1, y1 + 1)
        shared = shapely.length(shapely.intersection(bounds[i], near))
        best = int(np.argmax(shared))
        if shared[best] <= 0:
            continue
        keys[i] = keys[cand[best]]
        changed = True
    by: dict[Hashable, list] = defaultdict(list)
    for k, p, ok in zip(keys, parts, keep):
        if ok:
            by[k].append(p)
    return {k: union_coverage(v) for k, v in by.items()}, changed
