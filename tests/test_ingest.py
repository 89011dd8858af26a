"""Ingest on real files (small area: tests/conftest.py SMALL_DEPS)."""

from __future__ import annotations

import json

import pytest
from rezone.constants import PROFESSIONS, ZONE_CODES
from shapely.geometry import shape

pytestmark = pytest.mark.needs_sources


def test_amiens_facts(small_dataset):
    c = small_dataset.communes["80021"]
    assert c.name == "Amiens" and c.departement == "80" and c.region == "32"
    assert c.population == 136449  # communes.json, populations légales 2026
    assert c.epci == "248000531"  # CA Amiens Métropole (epci.json membres)
    assert small_dataset.epcis["248000531"].members.count("80021") == 1
    assert c.postal_codes == ["80000", "80080", "80090"]
    z = c.zonage["medecin"]
    assert (z.code, z.label, z.source) == ("HZ", "3_HZ", "zonage-medecins")
    assert c.zonage["infirmier"].code == "intermediaire" and c.zonage["infirmier"].label == "3_intermediaire"
    assert c.zrr.code == "non_classee"
    assert c.center_source == "communes-centroides"
    assert c.geometry is not None and c.geometry.is_valid and c.geometry.contains(
        __import__("shapely").Point(*c.center))


def test_every_commune_has_all_professions_in_vocabulary(small_dataset):
    for c in small_dataset.communes.values():
        assert c.departement and c.region and c.population is not None
        for p in PROFESSIONS:
            z = c.zonage[p]
            assert z.code is None and z.reason or z.code in ZONE_CODES[p]


def test_commune_nouvelle_geometry_covers_former_communes(small_dataset, sources_dir):
    """A commune nouvelle's polygon is the union of its 2018 communes: it covers each of them."""
    somme = json.loads((sources_dir / "france-geojson/departements-communes/communes-80-somme.geojson")
                       .read_text(encoding="utf-8"))
    by_code = {f["properties"]["code"]: shape(f["geometry"]) for f in somme["features"]}
    nouvelles = [c for c in small_dataset.communes.values()
                 if c.departement == "80" and c.geometry_source.startswith("france-geojson:union(")]
    assert nouvelles
    for c in nouvelles:
        olds = [k for k in [c.code, *c.former_codes] if k in by_code]
        assert len(olds) >= 2
        for k in olds:
            old = by_code[k].buffer(0)
            assert c.geometry.buffer(1e-9).covers(old), (c.code, k)
            assert c.geometry.intersection(old).area == pytest.approx(old.area, rel=1e-6)


def test_paris_marseille_from_arrondissements(small_dataset):
    paris = small_dataset.communes["75056"]
    arr = paris.extra["zonage_arrondissements"]["medecin"]
    assert len(arr) == 20 and arr["75119"] == "1_ZIP" and arr["75101"] == "3_HZ"
    # population-weighted majority over the 20 arrondissements: ZAC (written rule, counted)
    assert paris.zonage["medecin"].code == "ZAC"
    assert small_dataset.quality["rules"]["zonage_parts_disagree"]["applied"] > 0
    marseille = small_dataset.communes["13055"]
    assert len(marseille.extra["zonage_arrondissements"]["infirmier"]) == 16
    assert marseille.zonage["infirmier"].label == "5_Sur_dotee"  # same value in all 16


def test_departements_regions_polygons(small_dataset):
    assert set(small_dataset.departements) == {"80", "13", "2A", "75"}
    assert set(small_dataset.regions) == {"32", "93", "94", "11"}
    for d in small_dataset.departements.values():
        assert d.geometry is not None and d.geometry.is_valid
    amiens = small_dataset.communes["80021"]
    assert small_dataset.departements["80"].geometry.contains(__import__("shapely").Point(*amiens.center))
