"""The web client's outbound links (web/src/data/links.json): every région of the COG has its ARS or
PAPS page, each link with its source; and the embed page's framing headers (local server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rezone_infra.server import frame_ancestors, web_headers

ROOT = Path(__file__).resolve().parents[1]
LINKS = json.loads((ROOT / "web" / "src" / "data" / "links.json").read_text())


@pytest.mark.needs_sources
def test_each_region_has_its_link(sources_dir):
    # the 18 régions (13 metropolitan, 5 DROM); the COG's collectivités d'outre-mer ("com") have no ARS of ours
    regions = [r for r in json.loads((sources_dir / "decoupage-administratif" / "regions.json").read_text())
               if r.get("zone") != "com"]
    codes = {r["code"] for r in regions}
    assert len(codes) == 18
    assert set(LINKS["regions"]) == codes
    for r in regions:
        link = LINKS["regions"][r["code"]]
        assert link["name"] == r["nom"], r
        assert link["url"].startswith("https://") and (".paps.sante.fr" in link["url"] or ".ars.sante.fr" in link["url"])
        assert link["kind"] == ("PAPS" if ".paps." in link["url"] else "ARS")
        assert link["source"], r


def test_national_links_have_purpose_and_source():
    ids = {link["id"] for link in LINKS["national"]}
    assert {"cartosante", "installation", "urssaf"} <= ids
    for link in LINKS["national"]:
        assert link["url"].startswith("https://") and link["purpose"] and link["source"]


def test_frame_ancestors_setting():
    assert frame_ancestors("") == "'none'"
    assert frame_ancestors(None) == "'none'"
    assert frame_ancestors("https://a.paps.sante.fr  'self' http://127.0.0.1:8081") == \
        "https://a.paps.sante.fr 'self' http://127.0.0.1:8081"
    # anything that is not an origin is dropped: no way to inject another directive
    assert frame_ancestors("https://ok.fr; script-src * javascript:x") == "'none'"
    assert frame_ancestors("https://ok.fr https://evil.fr;default-src") == "https://ok.fr"


def test_embed_headers_only_on_embed_page():
    main = web_headers("index.html", "https://portal.example.org")
    assert "frame-ancestors 'none'" in main["Content-Security-Policy"] and main["X-Frame-Options"] == "DENY"
    embed = web_headers("embed.html", "https://portal.example.org")
    assert "frame-ancestors https://portal.example.org;" in embed["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed
    closed = web_headers("embed.html", "")
    assert "frame-ancestors 'none'" in closed["Content-Security-Policy"] and "X-Frame-Options" not in closed
