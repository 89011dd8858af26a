"""Tiles function: TileJSON, styles and PMTiles-backed tiles (routes in rezone.api.tiles)."""

from rezone.api.functions import tiles as handler

__all__ = ["handler"]
