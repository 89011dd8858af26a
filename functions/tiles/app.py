"""Tiles function: TileJSON, styles and PMTiles-backed tiles (logic in rezone.tiles)."""

from rezone.tiles import handle


def handler(event, context):
    return handle(event)
