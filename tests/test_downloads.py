"""Open downloads of a release (step ``downloads``): per profession the zonage of every commune as CSV,
the aid catalogue as JSON, listed with size and sha256."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from rezone.constants import PROFESSIONS

pytestmark = pytest.mark.needs_sources


def test_downloads_written_with_sizes_and_sha256(small_release, small_dataset):
    rel = small_release["release_dir"]
    index = json.loads((rel / "downloads" / "index.json").read_text())
    files = {f["id"]: f for f in index["files"]}
    assert set(files) == {f"zonage-{p}" for p in PROFESSIONS} | {"aides"}
    for f in files.values():
        data = (rel / f["path"]).read_bytes()
        assert len(data) == f["bytes"] and hashlib.sha256(data).hexdigest() == f["sha256"]
        assert f["title"] and f["vintage"] and f["sources"]
    rows = list(csv.DictReader(io.StringIO((rel / "downloads" / "zonage-medecin.csv").read_text("utf-8"))))
    assert len(rows) == len(small_dataset.communes) == files["zonage-medecin"]["rows"]
    amiens = next(r for r in rows if r["code_insee"] == "80021")
    z = small_dataset.communes["80021"].zonage["medecin"]
    assert (amiens["nom"], amiens["zonage_code"], amiens["zonage_libelle"], amiens["source"], amiens["millesime"]) == \
        ("Amiens", z.code, z.label, z.source, z.vintage)
    unknown = [r for r in rows if not r["zonage_code"]]
    assert all(r["raison"] for r in unknown)  # never an empty cell without a reason
    catalogue = json.loads((rel / "downloads" / "aides.json").read_text())
    served = json.loads((rel / "eligibility" / "aids.json").read_text())
    assert [a["id"] for a in catalogue["aids"]] == [a["id"] for a in served["aids"]]
    assert all(a["sources"] for a in catalogue["aids"])
