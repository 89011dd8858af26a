"""Pre-rendered PNG map tiles (256 px, Web Mercator) of distance classes, in a PMTiles archive.

The distance grid (metres) is classified (< 10, 10–20, 20–30, ≥ 30 km), reprojected from the
class grid with :func:`rasterio.warp.reproject` by blocks of 8×8 tiles (nearest neighbour where a
tile pixel is finer than a grid cell, majority where it is coarser), cut into tiles and written as
palette PNGs whose index 0 is transparent (outside France, or no data).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import mercantile
import numpy as np
from PIL import Image
from pmtiles.tile import Compression
from rasterio.warp import Resampling, reproject

from .pmtiles_write import ArchiveWriter, TileType, tile_id
from .raster_grid import CELL_M, Grid

__all__ = ["CLASSES", "TILE_SIZE", "RasterLayer", "classify", "render_block", "render_tile", "write_pmtiles"]

TILE_SIZE = 256
WEB_MERCATOR = "EPSG:3857"
# (class index, lower bound km, upper bound km or None, label, colour) — ColorBrewer YlOrRd.
CLASSES = [
    (1, 0, 10, "< 10 km", "#ffffb2"),
    (2, 10, 20, "10–20 km", "#fecc5c"),
    (3, 20, 30, "20–30 km", "#fd8d3c"),
    (4, 30, None, "> 30 km", "#e31a1c"),
]
_PALETTE = [0, 0, 0] + [int(c[4][i:i + 2], 16) for c in CLASSES for i in (1, 3, 5)]


def classify(dist_m: np.ndarray) -> np.ndarray:
    """uint8 class grid: 0 = nodata (NaN), else the CLASSES index of the distance."""
    out = np.zeros(dist_m.shape, dtype="uint8")
    ok = ~np.isnan(dist_m)
    bounds = np.array([c[2] * 1000.0 for c in CLASSES[:-1]])
    out[ok] = np.searchsorted(bounds, dist_m[ok], side="right").astype("uint8") + 1
    return out


@dataclass
class RasterLayer:
    """A class grid of one area and the lon/lat boxes (one per département) where it has data."""

    grid: Grid
    classes: np.ndarray
    boxes: list[tuple[float, float, float, float]]


def _png(index: np.ndarray) -> bytes:
    img = Image.fromarray(index, mode="P")
    img.putpalette(_PALETTE)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True, transparency=0)
    return buf.getvalue()


def render_block(layers: list[RasterLayer], z: int, x0: int, y0: int, n: int) -> np.ndarray:
    """Class array (n·256 px square) of the n×n tiles from (x0, y0) at zoom z: one warp for many tiles."""
    nw = mercantile.xy_bounds(mercantile.Tile(x0, y0, z))
    px = (nw.right - nw.left) / TILE_SIZE
    dst_transform = (px, 0.0, nw.left, 0.0, -px, nw.top)
    out = np.zeros((n * TILE_SIZE, n * TILE_SIZE), dtype="uint8")
    # Finer than a cell: nearest neighbour (class 0 = nodata copies as is). Coarser: majority of the
    # France cells under the pixel (nodata declared so that a coastal pixel keeps its colour).
    coarse = px > CELL_M
    opts = {"resampling": Resampling.mode, "src_nodata": 0, "dst_nodata": 0} if coarse else \
        {"resampling": Resampling.nearest}
    for layer in layers:
        part = np.zeros_like(out)
        reproject(layer.classes, part, src_transform=layer.grid.transform, src_crs=layer.grid.area.crs,
                  dst_transform=dst_transform, dst_crs=WEB_MERCATOR, **opts)
        np.copyto(out, part, where=part > 0)
    return out


def render_tile(layers: list[RasterLayer], tile: mercantile.Tile) -> bytes | None:
    """PNG bytes of one tile, or None when it holds no data."""
    out = render_block(layers, tile.z, tile.x, tile.y, 1)
    return _png(out) if out.any() else None


def _render_zoom(layers: list[RasterLayer], z: int, block: int = 8):
    """(tile, PNG) of every non-empty candidate tile of zoom z, warped by blocks of block×block tiles."""
    n = min(block, 1 << z)
    blocks: dict[tuple[int, int], dict[mercantile.Tile, list[RasterLayer]]] = {}
    for tile, lay in _candidates(layers, z).items():
        blocks.setdefault((tile.x // n, tile.y // n), {})[tile] = lay
    for (bx, by), tiles in sorted(blocks.items()):
        lay = [layer for layer in layers if any(layer in v for v in tiles.values())]
        arr = render_block(lay, z, bx * n, by * n, n)
        for tile in tiles:
            r, c = (tile.y - by * n) * TILE_SIZE, (tile.x - bx * n) * TILE_SIZE
            sub = arr[r:r + TILE_SIZE, c:c + TILE_SIZE]
            if sub.any():
                yield tile, _png(np.ascontiguousarray(sub))


def _candidates(layers: list[RasterLayer], z: int) -> dict[mercantile.Tile, list[RasterLayer]]:
    tiles: dict[mercantile.Tile, list[RasterLayer]] = {}
    for layer in layers:
        for box in layer.boxes:
            for t in mercantile.tiles(*box, zooms=z):
                lst = tiles.setdefault(t, [])
                if layer not in lst:
                    lst.append(layer)
    return tiles


def _centre(layers: list[RasterLayer]) -> tuple[float, float]:
    """Centre of the layer with the most data (metropolitan France in a full build)."""
    main = max(layers, key=lambda layer: int(layer.grid.mask.sum()))
    w, s = min(b[0] for b in main.boxes), min(b[1] for b in main.boxes)
    e, n = max(b[2] for b in main.boxes), max(b[3] for b in main.boxes)
    return (w + e) / 2, (s + n) / 2


def write_pmtiles(path: Path, layers: list[RasterLayer], minzoom: int, maxzoom: int, metadata: dict) -> dict:
    """Render every non-empty tile of ``layers`` for zooms minzoom..maxzoom into a PMTiles archive.

    Returns statistics: tile count per zoom and the tile sizes (bytes).
    """
    rendered: list[tuple[int, mercantile.Tile, bytes]] = []
    for z in range(minzoom, maxzoom + 1):
        for tile, png in _render_zoom(layers, z):
            rendered.append((tile_id(tile.z, tile.x, tile.y), tile, png))
    if not rendered:
        raise ValueError("no raster tile has data")
    rendered.sort(key=lambda t: t[0])
    boxes = [b for layer in layers for b in layer.boxes]
    bounds = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    with ArchiveWriter(path, TileType.PNG, Compression.NONE) as w:
        w.bounds = bounds
        w.center = (*_centre(layers), minzoom + 2)
        w.metadata = {**metadata, "format": "png", "minzoom": minzoom, "maxzoom": maxzoom,
                      "bounds": [round(v, 5) for v in bounds]}
        for _, tile, png in rendered:
            w.add(tile.z, tile.x, tile.y, png)
    return {"tiles": w.count, "per_zoom": {z: len(v) for z, v in sorted(w.sizes.items())},
            "sizes": sorted(n for v in w.sizes.values() for n in v), "bytes": path.stat().st_size}
