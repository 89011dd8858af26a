"""Optional sources (absent from the mirror): parsers on hand-written samples in the official formats,
and their automatic use by ``ingest`` when the files are in the sources directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rezone_build.loaders_optional import (
    OPTIONAL_FILES,
    finess_type,
    parse_finess,
    parse_qpv2024,
    parse_tvs_communes,
    parse_tvs_zonage,
    tvs_zone_code,
)

FIX = Path(__file__).parent / "fixtures"


def test_tvs_tables():
    rows = parse_tvs_communes(FIX / "optional/drees-tvs/communes-tvs.csv")
    assert rows[0] == {"commune": "80021", "tvs": "80021", "tvs_name": "Amiens"}
    zon = {r["tvs"]: r["zonage"] for r in parse_tvs_zonage(FIX / "optional/drees-tvs/zonage-tvs.csv")}
    assert tvs_zone_code(zon["80021"]) == "HV" and tvs_zone_code(zon["80001"]) == "ZV"
    assert tvs_zone_code("Zone d'intervention prioritaire") == "ZIP" and tvs_zone_code("ZAC") == "ZAC"
    assert tvs_zone_code("Zone inconnue") is None


def test_finess_lambert93_and_utm_to_wgs84():
    by_id = {s["finess"]: s for s in parse_finess(FIX / "optional/finess/etalab-cs1100507-stock.csv")}
    assert len(by_id) == 5
    # Lambert-93 projection origin: (700 000 m, 6 600 000 m) is 3°E, 46.5°N by definition
    origin = by_id["030000000"]
    assert origin["lon"] == pytest.approx(3.0, abs=1e-6) and origin["lat"] == pytest.approx(46.5, abs=1e-6)
    chu = by_id["800006124"]
    assert chu["lon"] == pytest.approx(2.2985, abs=1e-3) and chu["lat"] == pytest.approx(49.8742, abs=1e-3)
    assert chu["postcode"] == "80054" and chu["category"] == "Centre Hospitalier Régional (C.H.R.)"
    gp = by_id["9A0000011"]  # Guadeloupe, UTM zone 20N
    assert gp["lon"] == pytest.approx(-61.533, abs=1e-3) and gp["lat"] == pytest.approx(16.241, abs=1e-3)
    assert by_id["800088888"]["lon"] is None  # no geolocalisation line
    assert finess_type("Pharmacie d'Officine") == ("pharmacie", False)
    assert finess_type("Maison de santé (L.6223-3)") == ("msp", None)
    assert finess_type("Centre Hospitalier Régional (C.H.R.)") == ("hopital_public", True)


def test_qpv2024_list_multi_commune():
    rows = {r["code"]: r for r in parse_qpv2024(FIX / "optional/qpv-2024/listeqp2024-cog2024.csv")}
    assert rows["QN08002M"]["communes"] == "80001; 80013"
    assert rows["QN00101M"]["communes"] == "1053"  # leading zero lost upstream: restored by the loader


@pytest.mark.needs_sources
def test_ingest_uses_optional_files_when_present(sources_dir, tmp_path):
    from rezone_build.ingest import ingest
    from test_sources import mirror

    root = mirror(tmp_path, sources_dir)
    shutil.copytree(FIX / "optional", root / "optional")
    ds = ingest(root, ["80"], progress=False)
    assert ds.optional["tvs"]["status"] == "loaded"
    amiens, airaines = ds.communes["80021"], ds.communes["80013"]
    assert amiens.extra["tvs"] == "80021" and amiens.extra["tvs_name"] == "Amiens"
    assert amiens.extra["zonage_tvs"].code == "HV"
    assert airaines.extra["zonage_tvs"].code == "ZV"
    assert amiens.zonage["medecin"].code == "HZ"  # ARS zonage untouched
    fin = {f.id: f for f in ds.facilities if f.source == "finess"}
    assert set(fin) == {"800099999", "800088888"}  # the CHU is already listed (SAE); others out of scope
    assert fin["800099999"].commune == "80021" and fin["800099999"].precision == "exact"
    assert fin["800088888"].precision == "commune" and fin["800088888"].type == "msp"
    assert ds.optional["qpv2024"] == {"status": "loaded", "qpvs_added": 2}
    assert ds.qpvs["QN08002M"].communes == ["80001", "80013"] and ds.qpvs["QN08002M"].geometry is None


@pytest.mark.needs_sources
def test_optional_absent_says_so(small_dataset):
    for name, files in OPTIONAL_FILES.items():
        assert small_dataset.optional[name]["status"] == "absent"
        assert small_dataset.optional[name]["expected_files"] == files
        assert small_dataset.optional[name]["reason"]
