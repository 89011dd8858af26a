"""Distance grids: ~1 km cells in a metric projection per area, distance to the nearest point.

An *area* is metropolitan France (Lambert-93) or one overseas département (its local UTM zone).
Cells are aligned on multiples of the cell size; a cell's value is the planar distance from its
centre to the nearest facility (scipy cKDTree on projected coordinates). Cells touching no
département polygon (outside France) are nodata.

Planar distances in these conformal projections differ from geodesic ones by the projection's
scale factor (Lambert-93: within about -1 and +3 mm per metre over the metropole), i.e. at most a
few hundred metres at 100 km, well under one cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import shapely
from pyproj import Transformer
from rasterio.features import rasterize
from rasterio.transform import Affine
from scipy.spatial import cKDTree

__all__ = ["AREAS", "Area", "Grid", "area_of", "grid_distance", "make_grid", "nearest_distance", "to_proj"]

CELL_M = 1000.0


class Area(NamedTuple):
    key: str  # "metropole" or the overseas département code
    label: str
    crs: str  # metric CRS of the grid
    envelope: tuple[float, float, float, float]  # lon/lat box whose facilities belong to the area


AREAS: dict[str, Area] = {
    a.key: a
    for a in (
        Area("metropole", "France métropolitaine (Corse incluse)", "EPSG:2154", (-5.8, 41.2, 10.0, 51.3)),
        Area("971", "Guadeloupe", "EPSG:5490", (-61.9, 15.8, -60.9, 16.6)),
        Area("972", "Martinique", "EPSG:5490", (-61.3, 14.3, -60.7, 15.0)),
        Area("973", "Guyane", "EPSG:2972", (-54.7, 2.0, -51.5, 6.0)),
        Area("974", "La Réunion", "EPSG:2975", (55.1, -21.5, 55.9, -20.8)),
        Area("976", "Mayotte", "EPSG:4471", (44.9, -13.1, 45.4, -12.5)),
    )
}


def area_of(dep: str) -> str:
    """Area key of a département code."""
    return dep if dep in AREAS else "metropole"


def _transformer(crs: str) -> Transformer:
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def to_proj(crs: str, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Project lon/lat arrays (WGS84) into ``crs``."""
    return _transformer(crs).transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))


@dataclass
class Grid:
    """A north-up grid over one area: transform, shape, and which département each cell is in."""

    area: Area
    transform: Affine
    width: int
    height: int
    dep_index: np.ndarray  # uint8 (height, width): 0 outside France, i+1 for deps[i]
    deps: list[str]

    @property
    def mask(self) -> np.ndarray:
        return self.dep_index > 0

    def cell_centres(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        x = self.transform.c + (cols + 0.5) * self.transform.a
        y = self.transform.f + (rows + 0.5) * self.transform.e
        return np.column_stack([x, y])


def make_grid(area: Area, dep_geoms: dict[str, object], cell: float = CELL_M) -> Grid:
    """Grid covering the département polygons (WGS84 shapely geometries) of one area."""
    tr = _transformer(area.crs)
    deps = sorted(dep_geoms)
    projected = [
        shapely.transform(dep_geoms[d], lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
        for d in deps
    ]
    xmin, ymin, xmax, ymax = shapely.total_bounds(projected)
    xmin, ymin = np.floor(xmin / cell) * cell - cell, np.floor(ymin / cell) * cell - cell
    xmax, ymax = np.ceil(xmax / cell) * cell + cell, np.ceil(ymax / cell) * cell + cell
    width, height = round(float(xmax - xmin) / cell), round(float(ymax - ymin) / cell)
    transform = Affine(cell, 0.0, xmin, 0.0, -cell, ymax)
    # all_touched: a cell touching France is kept (coasts and small islands stay covered); its value
    # is still the distance from its centre.
    dep_index = rasterize(
        ((shapely.geometry.mapping(g), i + 1) for i, g in enumerate(projected) if not g.is_empty),
        out_shape=(height, width), transform=transform, fill=0, dtype="uint8", all_touched=True,
    )
    return Grid(area, transform, width, height, dep_index, deps)


def nearest_distance(points_xy: np.ndarray, query_xy: np.ndarray) -> np.ndarray:
    """Planar distance (same unit as the coordinates) from each query point to the nearest point."""
    if len(points_xy) == 0:
        return np.full(len(query_xy), np.nan)
    dist, _ = cKDTree(points_xy).query(query_xy, k=1)
    return dist


def grid_distance(grid: Grid, points_xy: np.ndarray, cells: np.ndarray | None = None) -> np.ndarray:
    """Distance raster (metres, float64, NaN = nodata) from ``points_xy`` over the cells where
    ``cells`` (default: the France mask) is true; NaN everywhere when there is no point."""
    where = grid.mask if cells is None else cells
    out = np.full((grid.height, grid.width), np.nan)
    rows, cols = np.nonzero(where)
    if len(rows) and len(points_xy):
        out[rows, cols] = nearest_distance(points_xy, grid.cell_centres(rows, cols))
    return out
