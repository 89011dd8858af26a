"""Write a PMTiles v3 archive with the ``pmtiles`` package's writer, tiles streamed in tile-id order.

Tiles must be given zoom by zoom, each zoom sorted by Hilbert tile id (:func:`tile_id`): the archive
is then *clustered* and identical tiles (e.g. open sea, a single zone over a whole tile) are stored
once (run-length entries).
"""

from __future__ import annotations

from pathlib import Path

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

__all__ = ["ArchiveWriter", "TileType", "tile_id"]


def tile_id(z: int, x: int, y: int) -> int:
    return zxy_to_tileid(z, x, y)


class ArchiveWriter:
    """``with ArchiveWriter(path) as w: w.add(z, x, y, data) ...; w.metadata = {...}``."""

    def __init__(self, path: Path, tile_type: TileType = TileType.MVT, compression=Compression.GZIP):
        self.path = Path(path)
        self.tile_type = tile_type
        self.compression = compression
        self.metadata: dict = {}
        self.bounds: tuple[float, float, float, float] = (-180.0, -85.0, 180.0, 85.0)
        self.center: tuple[float, float, int] | None = None
        self.count = 0
        self.bytes = 0
        self.sizes: dict[int, list[int]] = {}
        self._last = -1

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._f = open(self.path, "wb")
        self._w = Writer(self._f)
        return self

    def add(self, z: int, x: int, y: int, data: bytes) -> None:
        tid = tile_id(z, x, y)
        if tid <= self._last:
            raise ValueError(f"tile {z}/{x}/{y} written out of order")
        self._last = tid
        self._w.write_tile(tid, data)
        self.count += 1
        self.bytes += len(data)
        self.sizes.setdefault(z, []).append(len(data))

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                if self.count == 0:
                    raise ValueError(f"{self.path.name}: no tile to write")
                self._finalize()
        finally:
            self._f.close()
        if exc_type is not None:
            self.path.unlink(missing_ok=True)
        return False

    def _finalize(self) -> None:
        minlon, minlat, maxlon, maxlat = self.bounds
        clon, clat, cz = self.center or ((minlon + maxlon) / 2, (minlat + maxlat) / 2, min(self.sizes))
        header = {
            "tile_compression": self.compression,
            "tile_type": self.tile_type,
            "min_lon_e7": int(minlon * 1e7),
            "min_lat_e7": int(minlat * 1e7),
            "max_lon_e7": int(maxlon * 1e7),
            "max_lat_e7": int(maxlat * 1e7),
            "center_zoom": int(cz),
            "center_lon_e7": int(clon * 1e7),
            "center_lat_e7": int(clat * 1e7),
        }
        self._w.finalize(header, self.metadata)
