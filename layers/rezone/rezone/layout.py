"""The layout of a release: every object key, named once for the build and the serving code.

Keys are relative to the release (``releases/<version>/`` in the store, the staging directory in
the build); the build writes ``out / key`` and serving reads ``release.json(key)``. Only the
standard library: imported on every cold path.

Store::

    manifest.json                          MANIFEST_KEY: which release is current
    releases/<version>/                    release_prefix(version)

Release::

    release.json, quality-report.json      RELEASE_META, QUALITY_REPORT
    facts/<xyz>.json                       facts(group): zone facts of ≤ 100 communes
    query/locate/index.json, <ix>_<iy>.bin LOCATE_INDEX, locate_shard(cell)
    query/search/{n,d}/<bucket>.json       search_bucket(kind, bucket)
    query/territories/...                  TERRITORIES_META, territory_communes(group), territory(level, code),
                                           territory_members(level, code)
    query/facilities/index.json, <cell>    FACILITIES_INDEX, facilities_cell(cell)
    eligibility/aids.json                  AIDS_CATALOGUE
    tiles/<tileset>.pmtiles                TILES_DIR, tileset(name)
    tiles/styles/<profession>.json         style(profession)
    fonts/<slug>/<start>-<end>.pbf         FONTS_DIR, glyph_range(slug, start, end): SDF glyphs, gzip at rest
    downloads/index.json, <file>           DOWNLOADS_INDEX, download(name): open files (CSV, JSON)
    raster/...                             RASTER_INDEX, raster_cog(area), ACCESS_SHARES, access_shares(name)
"""

from __future__ import annotations

__all__ = [
    "ACCESS_SHARES",
    "ACCESS_SHARES_DIR",
    "AIDS_CATALOGUE",
    "DOWNLOADS_DIR",
    "DOWNLOADS_INDEX",
    "FACILITIES_DIR",
    "FACILITIES_INDEX",
    "FACTS_DIR",
    "FONTS_DIR",
    "LOCATE_DIR",
    "LOCATE_INDEX",
    "MANIFEST_KEY",
    "QUALITY_REPORT",
    "RASTER_DIR",
    "RASTER_INDEX",
    "RELEASE_META",
    "SEARCH_DIR",
    "STYLES_DIR",
    "TERRITORIES_DIR",
    "TERRITORIES_META",
    "TILES_DIR",
    "access_shares",
    "download",
    "facilities_cell",
    "facts",
    "glyph_range",
    "locate_shard",
    "raster_cog",
    "release_prefix",
    "search_bucket",
    "style",
    "territory",
    "territory_communes",
    "territory_members",
    "tileset",
]

MANIFEST_KEY = "manifest.json"


def release_prefix(version: str) -> str:
    return f"releases/{version}/"


RELEASE_META = "release.json"
QUALITY_REPORT = "quality-report.json"

FACTS_DIR = "facts/"


def facts(group: str) -> str:
    return f"{FACTS_DIR}{group}.json"


LOCATE_DIR = "query/locate/"
LOCATE_INDEX = LOCATE_DIR + "index.json"


def locate_shard(cell: str) -> str:
    return f"{LOCATE_DIR}{cell}.bin"


SEARCH_DIR = "query/search/"


def search_bucket(kind: str, bucket: str) -> str:
    """``kind``: ``n`` (names) or ``d`` (INSEE and postal codes)."""
    return f"{SEARCH_DIR}{kind}/{bucket}.json"


TERRITORIES_DIR = "query/territories/"
TERRITORIES_META = TERRITORIES_DIR + "meta.json"


def territory_communes(group: str) -> str:
    return f"{TERRITORIES_DIR}commune/{group}.json"


def territory(level: str, code: str) -> str:
    return f"{TERRITORIES_DIR}{level}/{code}.json"


def territory_members(level: str, code: str) -> str:
    return f"{TERRITORIES_DIR}{level}/{code}.members.json"


FACILITIES_DIR = "query/facilities/"
FACILITIES_INDEX = FACILITIES_DIR + "index.json"


def facilities_cell(cell: str) -> str:
    return f"{FACILITIES_DIR}{cell}.json"


AIDS_CATALOGUE = "eligibility/aids.json"

TILES_DIR = "tiles/"
STYLES_DIR = TILES_DIR + "styles/"


def tileset(name: str) -> str:
    return f"{TILES_DIR}{name}.pmtiles"


FONTS_DIR = "fonts/"


def glyph_range(slug: str, start: int, end: int) -> str:
    return f"{FONTS_DIR}{slug}/{start}-{end}.pbf"


DOWNLOADS_DIR = "downloads/"
DOWNLOADS_INDEX = DOWNLOADS_DIR + "index.json"


def download(name: str) -> str:
    return f"{DOWNLOADS_DIR}{name}"


def style(profession: str) -> str:
    return f"{STYLES_DIR}{profession}.json"


RASTER_DIR = "raster/"
RASTER_INDEX = RASTER_DIR + "index.json"
ACCESS_SHARES = RASTER_DIR + "access-shares.json"
ACCESS_SHARES_DIR = RASTER_DIR + "access-shares/"


def raster_cog(area: str) -> str:
    return f"{RASTER_DIR}distance-hopital-{area}.tif"


def access_shares(name: str) -> str:
    """``meta``, a level, or ``commune-<département>``."""
    return f"{ACCESS_SHARES_DIR}{name}.json"
