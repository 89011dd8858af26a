"""Source resolver: sha256 checks, clear errors naming the file, hash cache, upstream URLs."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from rezone_build.sources import MANIFEST, SourceError, Sources, open_sources, upstream_url

pytestmark = pytest.mark.needs_sources


def mirror(tmp_path, sources_dir, skip=(), replace=None):
    """A copy of the mirror made of symlinks, minus ``skip``, with ``replace`` = {rel: bytes}."""
    root = tmp_path / "mirror"
    for s in json.loads(MANIFEST.read_text())["sources"]:
        for f in s["files"]:
            rel = f["path"]
            if rel in skip:
                continue
            dst = root / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            if replace and rel in replace:
                dst.write_bytes(replace[rel])
            else:
                os.symlink(sources_dir / rel, dst)
    return root


def test_all_files_verify(sources_dir, tmp_path):
    src = Sources(sources_dir, tmp_path / "cache")
    for rel in src.files:
        assert src.path(rel).is_file()
    src.save()
    hashes = json.loads((tmp_path / "cache" / "hashes.json").read_text())
    assert len(hashes) == len(src.files)
    # a second resolver reuses the cached hashes (no re-read: same digest recorded)
    again = Sources(sources_dir, tmp_path / "cache")
    assert again._hashes == hashes


def test_missing_file_names_it(sources_dir, tmp_path):
    rel = "zonage-medecins/zonmed_enrichi_final.csv"
    src = Sources(mirror(tmp_path, sources_dir, skip={rel}), tmp_path / "cache")
    with pytest.raises(SourceError, match="zonmed_enrichi_final.csv: missing source file"):
        src.path(rel)


def test_truncated_and_corrupt_files_name_them(sources_dir, tmp_path):
    rel = "decoupage-administratif/epci.json"
    data = (sources_dir / rel).read_bytes()
    root = mirror(tmp_path, sources_dir, replace={rel: data[: len(data) // 2]})
    with pytest.raises(SourceError, match=r"epci\.json: wrong sha256 \(truncated"):
        Sources(root, tmp_path / "cache").path(rel)
    (root / rel).write_bytes(data.replace(b"Amiens", b"Amiens!"))
    with pytest.raises(SourceError, match=r"epci\.json: wrong sha256 \(corrupt"):
        Sources(root, tmp_path / "cache2").path(rel)


def test_ingest_on_corrupt_file_raises_source_error(sources_dir, tmp_path):
    from rezone_build.ingest import ingest

    rel = "zonage-autres-professions/infirmier.csv"
    data = (sources_dir / rel).read_bytes()
    root = mirror(tmp_path, sources_dir, replace={rel: data[:-100]})
    with pytest.raises(SourceError, match="infirmier.csv"):
        ingest(root, ["2A"], progress=False)  # default cache: the parsed APL workbook is reused


def test_cli_build_reports_source_error_without_traceback(sources_dir, tmp_path, capsys):
    from rezone_infra.cli import main

    rel = "decoupage-administratif/communes.json"
    root = mirror(tmp_path, sources_dir, skip={rel})
    rc = main(
        [
            "build",
            "--sources",
            str(root),
            "--store",
            str(tmp_path / "store"),
            "--work",
            str(tmp_path / "work"),
            "--departements",
            "2A",
        ]
    )
    err = capsys.readouterr().err
    assert rc == 1  # a user error (2 is for usage errors)
    assert "communes.json: missing source file" in err and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("rezone build: source error: ")


def test_missing_directory_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        open_sources(tmp_path / "nope")


def test_upstream_urls_follow_the_layout():
    m = {s["id"]: s for s in json.loads(MANIFEST.read_text())["sources"]}
    assert (
        upstream_url(
            m["france-geojson"], "france-geojson/departements-communes/communes-2A-corse-du-sud.geojson"
        )
        == m["france-geojson"]["upstream"] + "departements/2A-corse-du-sud/communes-2A-corse-du-sud.geojson"
    )
    assert (
        upstream_url(m["decoupage-administratif"], "decoupage-administratif/communes.json")
        == "https://unpkg.com/@etalab/decoupage-administratif@6.0.0/data/communes.json"
    )
    assert upstream_url(m["apl"], "apl/apl_mg_2023_cartosante_bvcv.csv").endswith(
        "/d2faf7ffc19054ede807a17d7f09c654033c7f55/data/raw/apl-et-pauvrete/apl_medecins_generalistes_2023.csv"
    )
    assert upstream_url(m["zones-rouges-2025"], "zones-rouges-2025/zones_rouges_partial.csv") is None


def test_download_mode_checks_sha(tmp_path, monkeypatch, sources_dir):
    """Without a mirror, files are fetched from upstream into the cache and sha256-checked."""
    import urllib.request

    rel = "qpv/paca-2024/qpv-zonage.json"
    good = (sources_dir / rel).read_bytes()
    payload = {"body": good}

    class Resp:
        def __init__(self, body):
            self.body = body

        def read(self, n=-1):
            b, self.body = self.body, b""
            return b

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

    seen = []
    monkeypatch.setattr(
        urllib.request, "urlopen", lambda url, timeout=0: seen.append(url) or Resp(payload["body"])
    )
    src = Sources(None, tmp_path / "cache")
    p = src.path(rel)
    assert p.read_bytes() == good and seen[0].endswith("/qpv-zonage.json")
    payload["body"] = good[:100]
    shutil.rmtree(tmp_path / "cache")
    with pytest.raises(SourceError, match="qpv-zonage.json: wrong sha256"):
        Sources(None, tmp_path / "cache").path(rel)


def test_zones_rouges_unavailable_without_mirror(tmp_path):
    """The zones rouges list has no upstream file: without a mirror it is reported unavailable."""
    from rezone_build.ingest_zones_rouges import REL, load_zones_rouges
    from rezone_build.quality import QualityReport

    src = Sources(None, tmp_path / "cache")
    assert not src.available(REL) and src.available("decoupage-administratif/epci.json")
    q = QualityReport()
    load_zones_rouges({}, src, q)
    assert q.sections["zones_rouges"]["status"] == "unavailable"
