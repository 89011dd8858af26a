"""SDF glyph ranges of the styles' labels (served at ``/tiles/fonts/{fontstack}/{start}-{end}.pbf`` by
:mod:`rezone.api.tiles`).

The build (``rezone_build.glyphs``) stores each range gzip-compressed at
``fonts/<slug>/<start>-<end>.pbf`` inside the release (:func:`rezone.layout.glyph_range`), ``slug``
being the fontstack name lower-cased with dashes (storage keys have no spaces). A request names a
fontstack as MapLibre does (possibly a comma-separated list: the first one the release has answers)
and one range of 256 code points. Only the standard library.
"""

from __future__ import annotations

import re

from . import layout
from .errors import Unknown
from .release import Release
from .storage import InvalidKey, NotFound

__all__ = ["CONTENT_TYPE", "glyphs", "slug"]

CONTENT_TYPE = "application/x-protobuf"
RANGE_RE = re.compile(r"^([0-9]{1,5})-([0-9]{1,5})$")


def slug(fontstack: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fontstack.lower()).strip("-")


def glyphs(release: Release, fontstack: str, glyph_range: str) -> tuple[str, bytes]:
    """(slug of the font found, gzip bytes) of one range (``"0-255"``) of the first font of ``fontstack``
    the release has; :class:`Unknown` (404, ``param`` ``range``) otherwise."""
    m = RANGE_RE.match(glyph_range)
    start, end = (int(m.group(1)), int(m.group(2))) if m else (-1, -1)
    if start >= 0 and start % 256 == 0 and end == start + 255 and end <= 65535:
        for name in fontstack.split(","):
            s = slug(name)
            if not s:
                continue
            try:
                return s, release.get(layout.glyph_range(s, start, end))
            except (NotFound, InvalidKey):
                continue
    raise Unknown(f"aucune plage « {glyph_range[:20]} » pour « {fontstack[:80]} » (plages de 256 points : "
                  "0-255, 256-511…)", "range", "Glyphes introuvables")
