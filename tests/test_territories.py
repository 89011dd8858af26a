"""Territory figures: values, provenance, enclosing levels, quartiles, members, errors."""

from __future__ import annotations

import pytest
from query_tiny import publish_tiny
from rezone import release
from rezone.constants import PROFESSIONS
from rezone.errors import DomainError
from rezone.territories import UNSOURCED, territory


def test_tiny_commune_figures(tiny_release):
    t = territory(tiny_release, "commune", "80002")
    f = t["figures"]
    assert f["population"]["value"] == 3000 and f["population"]["enclosing"]["epci"]["value"] == 4500
    assert f["apl_mg_2023"]["value"] == 2.8 and f["apl_mg_2022"]["value"] == 3.0
    assert f["apl_mg_trend"]["value"] == pytest.approx(-0.2)
    # population-weighted mean over the EPCI: (2.5*1000 + 2.8*3000 + 4.0*500) / 4500
    assert f["apl_mg_2023"]["enclosing"]["epci"]["value"] == pytest.approx(12900 / 4500, abs=1e-3)
    assert f["apl_mg_2023"]["quartile"] in (1, 2, 3, 4)
    assert f["apl_mg_2023"]["quartile_scope"]["thresholds"] == [2.65, 2.8, 3.4]  # 2.5, 2.8, 4.0 (inclusive)
    assert f["zonage_medecin"]["value"] == {"ZAC": 1.0}
    shares = f["zonage_medecin"]["enclosing"]["departement"]["value"]
    assert shares == {"HZ": round(500 / 4500, 4), "ZAC": round(3000 / 4500, 4), "ZIP": round(1000 / 4500, 4)}
    assert f["zonage_infirmier"]["value"] == {"inconnu": 1.0}
    assert f["etablissements"]["value"] == {"hopital_public": 1}
    assert f["etablissements"]["enclosing"]["france"]["value"] == {"clinique_privee": 2, "hopital_public": 1}
    dep = f["departement.medecins_generalistes"]
    assert dep["value"] is None and dep["reason"] and dep["enclosing"]["departement"]["value"] == 373
    for k in UNSOURCED:
        assert f[k]["value"] is None and f[k]["reason"] and f[k]["reason_en"]
    for fig in f.values():
        assert {"value", "unit", "source", "vintage", "enclosing"} <= set(fig)
    assert t["bassin_de_vie"] is None and t["bassin_de_vie_reason"]
    assert set(t["enclosing"]) == {"epci", "departement", "region", "france", "tvs"}


def test_tiny_quartiles(tiny_release):
    q = {c: territory(tiny_release, "commune", c)["figures"]["apl_mg_2023"]["quartile"] for c in ("80001", "80002", "80003")}
    assert q["80001"] < q["80002"] < q["80003"]  # APL 2.5 < 2.8 < 4.0


def test_tiny_levels_and_members(tiny_release):
    e = territory(tiny_release, "epci", "200000001")
    assert [m["code"] for m in e["members"]] == ["80001", "80002", "80003"]
    assert e["partial"]  # a build limited to some départements says so
    d = territory(tiny_release, "departement", "80")
    assert d["figures"]["departement.medecins_generalistes"]["value"] == 373
    r = territory(tiny_release, "region", "32")
    assert r["figures"]["departement.medecins_generalistes"]["value"] == 373  # sum over its départements
    fr = territory(tiny_release, "france", "FR")
    assert fr["regions"] == ["32"] and fr["figures"]["population"]["value"] == 4500 and "members" not in fr


def test_tiny_tvs_level(tiny_release):
    t = territory(tiny_release, "tvs", "80T01")
    assert [m["code"] for m in t["members"]] == ["80001", "80002"]
    assert t["figures"]["population"]["value"] == 4000 and t["zonage_tvs"]["code"] == "ZIP"
    c = territory(tiny_release, "commune", "80001")
    assert c["enclosing"]["tvs"] == {"code": "80T01", "name": "80T01"}
    assert c["figures"]["population"]["enclosing"]["tvs"]["value"] == 4000
    assert "tvs" not in territory(tiny_release, "commune", "80003")["enclosing"]


def test_tiny_access_shares_from_the_raster_step(tmp_path):
    shares = {"source": "hopitaux-france", "vintage": "2020", "method": "distance à vol d'oiseau",
              "levels": {"commune": {"80002": {"share_gt_10km": 0.0, "share_gt_20km": 0.0, "share_gt_30km": 0.0}},
                         "departement": {"80": {"share_gt_10km": 0.25, "share_gt_20km": 0.1, "share_gt_30km": 0.0}},
                         "france": {"FR": {"share_gt_10km": 0.3, "share_gt_20km": 0.12, "share_gt_30km": 0.01}}}}
    publish_tiny(tmp_path, shares)
    release.reset(str(tmp_path / "store"))
    try:
        f = territory(release.current(), "commune", "80002")["figures"]["acces_hopital"]
        assert f["value"]["share_gt_10km"] == 0.0 and f["source"] == "hopitaux-france" and f["vintage"] == "2020"
        assert f["enclosing"]["departement"]["value"]["share_gt_10km"] == 0.25
        assert f["enclosing"]["france"]["value"]["share_gt_30km"] == 0.01
        assert f["enclosing"]["epci"]["value"] is None and f["enclosing"]["epci"]["reason"]
        other = territory(release.current(), "commune", "80001")["figures"]["acces_hopital"]
        assert other["value"] is None and other["reason"]
    finally:
        release.reset()


def test_tiny_without_access_shares(tiny_release):
    assert "acces_hopital" not in territory(tiny_release, "commune", "80002")["figures"]


@pytest.mark.parametrize("level,code,status,param", [
    ("planet", "1", 400, "level"), ("commune", "abc", 400, "code"), ("commune", "99999", 404, "code"),
    ("epci", "123", 400, "code"), ("departement", "81", 404, "code"), ("france", "EU", 400, "code"),
    ("tvs", "T123", 404, "code"),
])
def test_tiny_errors(tiny_release, level, code, status, param):
    with pytest.raises(DomainError) as err:
        territory(tiny_release, level, code)
    assert err.value.status == status and err.value.param == param


@pytest.mark.needs_sources
def test_amiens_real_figures(live_store, small_dataset):
    ds = small_dataset
    c = ds.communes["80021"]
    t = territory(release.current(), "commune", "80021")
    f = t["figures"]
    assert f["population"]["value"] == c.population and f["population"]["source"] == "decoupage-administratif"
    assert t["enclosing"]["departement"] == {"code": "80", "name": "Somme"}
    assert f["population"]["enclosing"]["departement"]["value"] == (
        ds.departements["80"].population or sum(x.population for x in ds.communes.values() if x.departement == "80"))
    a = c.apl.get("2023")
    if a is not None and a.value is not None:
        assert f["apl_mg_2023"]["value"] == pytest.approx(a.value, abs=1e-3)
        assert f["apl_mg_2023"]["quartile"] in (1, 2, 3, 4)
    for p in PROFESSIONS:
        z = c.zonage[p]
        assert f[f"zonage_{p}"]["value"] == {(z.code or "inconnu"): 1.0}
    e = territory(release.current(), "epci", c.epci)
    assert "80021" in [m["code"] for m in e["members"]]
    assert sum(e["figures"]["zonage_medecin"]["value"].values()) == pytest.approx(1.0, abs=1e-3)
    r = territory(release.current(), "region", "32")
    assert {m["code"] for m in r["members"]} == {x.code for x in ds.communes.values() if x.region == "32"}


@pytest.mark.needs_sources
def test_every_commune_gets_its_bassin_de_vie_figures(live_store, small_dataset, sources_dir):
    """Woincourt (80), a village of the BV of Friville-Escarbotin: its card gives the BV's figures
    equal to the CartoSanté / INSEE files, marked as BV figures and compared with the enclosing levels."""
    bv = small_dataset.indicators["bassin_de_vie"]["80368"]
    lines = (sources_dir / "indicateurs-bassins-de-vie/cartosante_sante_par_bassin_de_vie_2024.csv").read_text(
        encoding="utf-8-sig").splitlines()
    row = next(r.split(";") for r in lines if r.startswith("80368;"))
    head = lines[2].split(";")
    assert float(row[head.index("Densité de généralistes lib. 2024")]) == bv["densite_de_generalistes_lib"].value
    t = territory(release.current(), "commune", "80827")
    assert t["bassin_de_vie"]["code"] == "80368" and t["bassin_de_vie"]["name"] == "Friville-Escarbotin"
    assert t["enclosing"]["bassin_de_vie"]["code"] == "80368"
    for k in ("densite_de_generalistes_lib", "densite_d_infirmiers_lib", "part_des_benef_en_ald_dans_la_pop",
              "part_des_pers_agees_de_75_ans_ou_plus"):
        fig = t["figures"][f"bv.{k}"]
        assert fig["value"] == bv[k].value is not None
        assert fig["level"] == "bassin_de_vie" and fig["source"] == bv[k].source and fig["vintage"] == bv[k].vintage
        enc = fig["enclosing"]
        assert set(enc) >= {"departement", "region", "france"}
        assert all(enc[lv]["value"] is not None for lv in ("departement", "region", "france"))
        assert "pondérée" in enc["region"]["method"]
    # the BV level itself (a BV is named by its pole commune's code)
    b = territory(release.current(), "bassin_de_vie", "80368")
    assert b["name"] == "Friville-Escarbotin" and "80827" in {m["code"] for m in b["members"]}
    assert b["figures"]["bv.densite_de_generalistes_lib"]["value"] == bv["densite_de_generalistes_lib"].value
    assert b["enclosing"]["departement"]["code"] == "80"
    # BPE 2020 counts equal the commune's row (checked against the workbook in test_card_sources)
    c = small_dataset.communes["80827"]
    assert t["figures"]["bpe.pharmacie"]["value"] == c.bpe["D307"]
    assert t["figures"]["bpe.msp"]["value"] == c.bpe["D113"] and t["figures"]["bpe.laboratoire"]["value"] == c.bpe["D302"]
    assert t["figures"]["bpe.urgences"]["value"] == c.bpe["D106"] == 0
    assert t["figures"]["bpe.pharmacie"]["rate_per_10000"] == round(c.bpe["D307"] / c.population * 10_000, 2)
    dep = t["figures"]["bpe.pharmacie"]["enclosing"]["departement"]
    somme = [x for x in small_dataset.communes.values() if x.departement == "80" and x.bpe]
    assert dep["value"] == sum(x.bpe["D307"] for x in somme) and dep["vintage"] == "BPE 2020"
    assert t["cpts"] is None and "non chargée" in t["cpts_reason"]
    # nearest services: a hospital a patient can be sent to, a commune whose BPE counts urgences
    near = t["nearest"]
    assert near["hopital"]["kind"] in ("chu_chr", "centre_hospitalier", "clinique_mco", "hopital_armees")
    assert "SMUR" not in near["hopital"]["name"] and near["hopital"]["distance_km"] > 0
    u = small_dataset.communes[near["urgences"]["commune"]["code"]]
    assert u.bpe["D106"] > 0 and near["urgences"]["level"] == "commune" and near["urgences"]["vintage"] == "BPE 2020"
    # professions without a BV density say so
    assert t["profession_density"]["masseur_kinesitherapeute"]["figure"] is None
    assert t["profession_density"]["medecin"]["figure"] == "bv.densite_de_generalistes_lib"


@pytest.mark.needs_sources
def test_departement_indicators_match_the_source(live_store, small_dataset):
    rows = small_dataset.indicators.get("departement", {}).get("80")
    if not rows:
        pytest.skip("no département indicators in the dataset")
    t = territory(release.current(), "commune", "80021")
    for k, v in rows.items():
        if k == "name":
            continue
        fig = t["figures"][f"departement.{k}"]
        assert fig["value"] is None and fig["enclosing"]["departement"]["value"] == v.value
