"""Every object of a built release is named by rezone.layout (the one place build and serving share keys)."""

from __future__ import annotations

from fnmatch import fnmatchcase

import pytest
from rezone import layout

pytestmark = pytest.mark.needs_sources

# Each key kind of the layout, its variable parts as wildcards.
PATTERNS = [
    layout.RELEASE_META, layout.QUALITY_REPORT, layout.facts("*"), layout.LOCATE_INDEX, layout.locate_shard("*"),
    layout.search_bucket("*", "*"), layout.TERRITORIES_META, layout.territory_communes("*"),
    layout.territory("*", "*"), layout.territory_members("*", "*"), layout.FACILITIES_INDEX,
    layout.facilities_cell("*"), layout.AIDS_CATALOGUE, layout.tileset("*"), layout.style("*"),
    layout.RASTER_INDEX, layout.raster_cog("*"), layout.ACCESS_SHARES, layout.access_shares("*"),
    layout.glyph_range("*", "*", "*"), layout.DOWNLOADS_INDEX, layout.download("*"),
]


def test_every_release_object_is_named_by_the_layout(small_release):
    root = small_release["release_dir"]
    keys = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    unnamed = [k for k in keys if not any(fnmatchcase(k, pat) for pat in PATTERNS)]
    assert not unnamed, unnamed
    # and the serving side finds what the build wrote, through the same names
    assert layout.LOCATE_INDEX in keys and layout.AIDS_CATALOGUE in keys and layout.tileset("zonage") in keys
    assert layout.style("medecin") in keys and any(fnmatchcase(k, layout.facts("*")) for k in keys)
