"""Cloud-Optimized GeoTIFF writer for the distance grids (tiled, DEFLATE, internal overviews)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
import rasterio.shutil
from rasterio.io import MemoryFile

from .raster_grid import Grid

__all__ = ["NODATA", "write_cog"]

NODATA = -1  # int32 metres; -1 = outside France or outside the band's coverage


def write_cog(path: Path, grid: Grid, bands: list[tuple[str, np.ndarray]], tags: dict[str, str],
              band_tags: list[dict[str, str]] | None = None) -> int:
    """Write ``bands`` (description, float metres with NaN = nodata) as an int32 COG; returns its size."""
    data = np.stack([np.where(np.isnan(a), NODATA, np.rint(a)).astype("int32") for _, a in bands])
    profile = {"driver": "GTiff", "width": grid.width, "height": grid.height, "count": len(bands),
               "dtype": "int32", "crs": grid.area.crs, "transform": grid.transform, "nodata": NODATA}
    path.parent.mkdir(parents=True, exist_ok=True)
    with MemoryFile() as mem:
        with mem.open(**profile) as tmp:
            tmp.write(data)
            tmp.update_tags(**tags)
            for i, (desc, _) in enumerate(bands, start=1):
                tmp.set_band_description(i, desc)
                tmp.update_tags(i, **((band_tags or [{}] * len(bands))[i - 1]))
        with mem.open() as src:
            rasterio.shutil.copy(src, str(path), driver="COG", compress="DEFLATE", predictor=2,
                                 blocksize=256, overview_resampling="nearest", bigtiff="NO")
    return path.stat().st_size
