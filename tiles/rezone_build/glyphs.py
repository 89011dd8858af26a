"""Release step part of ``tiles``: SDF glyph ranges of the labels' font, for the styles' ``glyphs`` URL.

Uses fontnik's ``build-glyphs`` (npm ``fontnik`` 0.7.7, linux-x64 prebuild; installed by
``scripts/setup.sh`` into ``tiles/node/``) on an open font installed by the setup (Debian
``fonts-dejavu-core``, or ``fonts-noto-core`` when present). Output, inside the release::

    fonts/<slug>/<start>-<end>.pbf     256 ranges of 256 code points, gzip-compressed at rest

where ``slug`` is the fontstack name lower-cased with dashes (``DejaVu Sans Book`` →
``dejavu-sans-book``), because storage keys have no spaces; the tiles function maps a style's
fontstack to it. Without the tool or the font the step says so and returns None: the styles then
have no glyphs and no text layers (the map still works, without names).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from rezone import layout
from rezone.fonts import slug

__all__ = ["FONTS", "TOOL", "build", "slug"]

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tiles" / "node" / "node_modules" / ".bin" / "build-glyphs"
# (font file, fontstack name) in order of preference; REZONE_LABEL_FONT=/path/to/font.ttf overrides.
FONTS = (
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "Noto Sans Regular"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVu Sans Book"),
)
RANGE_RE = re.compile(r"^(\d+)-(\d+)\.pbf$")


def _font() -> tuple[Path, str] | None:
    override = os.environ.get("REZONE_LABEL_FONT")
    if override:
        p = Path(override)
        return (p, p.stem.replace("-", " ")) if p.is_file() else None
    for path, name in FONTS:
        if Path(path).is_file():
            return Path(path), name
    return None


def build(out: Path, say) -> dict | None:
    """Write ``out/fonts/<slug>/*.pbf``; return {fontstack, slug, font, font_sha256, ranges, bytes} or None."""
    font = _font()
    if font is None or not TOOL.is_file() or shutil.which("node") is None:
        say("[tiles] no label font or fontnik (run scripts/setup.sh): styles without place names")
        return None
    path, name = font
    dest = (out / layout.glyph_range(slug(name), 0, 255)).parent
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(TOOL), str(path), tmp], check=True, capture_output=True, timeout=300)
        total = count = 0
        for f in sorted(Path(tmp).iterdir()):
            if not RANGE_RE.match(f.name):
                continue
            data = gzip.compress(f.read_bytes(), compresslevel=9, mtime=0)
            (dest / f.name).write_bytes(data)
            total += len(data)
            count += 1
    say(f"[tiles] glyphs {name}: {count} ranges, {total / 1024:.0f} KiB gzip")
    return {"fontstack": name, "slug": slug(name), "font": path.name,
            "font_sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "ranges": count, "bytes": total}
