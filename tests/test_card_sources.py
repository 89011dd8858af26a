"""Territory card sources (issue #13): bassin de vie of every commune, BPE 2020 counts, CPTS PACA,
facility kinds from the FINESS category — each join checked against the real source files, read
at test time with an independent reader (csv / openpyxl), for villages far from their BV pole."""

from __future__ import annotations

import csv
import json

import pytest

pytestmark = pytest.mark.needs_sources

BV_CSV = "indicateurs-bassins-de-vie/cartosante_sante_par_bassin_de_vie_2024.csv"
BV_SOCIO_CSV = "indicateurs-bassins-de-vie/insee_determinants_sociaux_par_bassin_de_vie.csv"


def _csv_row(path, code: str) -> dict:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    rows = list(csv.reader(lines[2:], delimiter=";"))
    head = rows[0]
    row = next(r for r in rows[1:] if r and r[0] == code)
    return dict(zip(head, row, strict=False))


def _bpe_rows(path, codes) -> dict[str, dict]:
    import openpyxl  # independent of the ingest's own xlsx reader

    wb = openpyxl.load_workbook(path, read_only=True)
    header, out = None, {}
    for row in wb["COM"].iter_rows(values_only=True):
        if row and row[0] == "CODGEO" and row[4] == "NB_D101":
            header = row
        elif header and row and row[0] in codes:
            out[row[0]] = dict(zip(header, row, strict=False))
    return out


@pytest.fixture(scope="module")
def cog_src(sources_dir, tmp_path_factory):
    from rezone_build.cog import load_cog
    from rezone_build.sources import open_sources

    src = open_sources(sources_dir, tmp_path_factory.mktemp("cache"))
    return load_cog(src), src


def _communes(cog, codes):
    from rezone_build.model import Commune

    out = {}
    for k in codes:
        r = cog.current[k]
        out[k] = Commune(k, r["nom"], r["departement"], r["region"], None, r.get("population"), [], None, None,
                         None, None, {})
    return out


def test_bassin_de_vie_of_villages_recreated_and_merged_communes(cog_src):
    from rezone_build.ingest_insee import load_bassins_de_vie
    from rezone_build.ingest_zonage import population_by_code
    from rezone_build.quality import QualityReport

    cog, src = cog_src
    communes = _communes(cog, ["80827", "13061", "15031", "15171", "33008", "80368"])
    q = QualityReport()
    bvs = load_bassins_de_vie(communes, cog, src, q, population_by_code(cog, src))
    # Woincourt (80) lies in the BV of Friville-Escarbotin, not its own
    assert communes["80827"].bassin_de_vie.value == "80368"
    assert bvs["80368"].name == "Friville-Escarbotin"
    assert set(bvs["80368"].members) == {"80827", "80368"}
    # Saint-Pierre-de-Mézoargues (13) belongs to a BV whose pole is in the Gard (Beaucaire)
    assert communes["13061"].bassin_de_vie.value == "30032"
    # re-created Cantal communes: no 2024 row → null + reason, never guessed
    for k in ("15031", "15171"):
        v = communes[k].bassin_de_vie
        assert v.value is None and "2024" in v.reason
    # Porte-de-Benauge: parts in BV 33081 (602 inh.) and 33506 (86 inh.) → the most populous part's
    c = communes["33008"]
    assert c.bassin_de_vie.value == "33081"
    assert "plus peuplée" in c.extra["bassin_de_vie_method"]
    assert {p["code"]: p["bassin_de_vie"] for p in c.extra["bassin_de_vie_parts"]} == {"33008": "33081",
                                                                                      "33409": "33506"}
    sec = q.sections["bassins_de_vie"]
    assert sec["communes_without_bv"] == ["15031", "15171"]
    assert sec["via_most_populous_part"] == ["33008"]


def test_bpe_counts_equal_the_source_row(cog_src, sources_dir):
    from rezone_build.ingest_insee import BPE_CODES, BPE_REL, load_bpe
    from rezone_build.quality import QualityReport

    cog, src = cog_src
    communes = _communes(cog, ["80827", "13042", "15031", "01138"])
    load_bpe(communes, cog, src, QualityReport())
    parts = communes["01138"].extra["bpe_parts"]  # Culoz-Béon (2025): its 2021 parts summed
    rows = _bpe_rows(sources_dir / BPE_REL, {"80827", "13042", *parts})
    for k in ("80827", "13042"):
        assert communes[k].bpe == {b: int(rows[k][f"NB_{b}"]) for b in BPE_CODES}
    assert communes["80827"].bpe["D307"] >= 1 and communes["80827"].bpe["D113"] >= 1  # pharmacy, MSP
    assert parts == ["01039", "01138"]
    assert communes["01138"].bpe == {b: sum(int(rows[p][f"NB_{b}"]) for p in parts) for b in BPE_CODES}
    assert communes["15031"].bpe is None and "BPE 2020" in communes["15031"].extra["bpe_reason"]


def test_cpts_paca_only_and_unknown_elsewhere(cog_src):
    from rezone_build.ingest_cpts import load_cpts
    from rezone_build.quality import QualityReport

    cog, src = cog_src
    communes = _communes(cog, ["13011", "13055", "04005", "80827"])
    cpts = load_cpts(communes, cog, src, QualityReport())
    assert [cpts[k].name for k in communes["13011"].cpts] == ["CPTS du Pays d'Arles"]
    assert communes["04005"].cpts  # Allons (04)
    assert len(communes["13055"].cpts) > 1  # Marseille is shared between CPTS …
    assert all(cpts[k].geometry is not None for k in communes["13055"].cpts)
    assert all("13055" in cpts[k].partial_communes for k in communes["13055"].cpts)  # … by arrondissement
    assert communes["80827"].cpts is None  # outside PACA: no list loaded (unknown), not "no CPTS"


def test_finess_category_table_and_kinds(small_dataset):
    from rezone_build.ingest_facilities import FACILITY_KINDS, finess_categories

    cats = finess_categories()
    assert cats["127"]["kind"] == "had" and cats["101"]["kind"] == "chu_chr" and cats["109"]["kind"] == "ssr"
    assert all(r["kind"] in FACILITY_KINDS and r["evidence"] for r in cats.values())
    kinds = {f.kind for f in small_dataset.facilities if f.source == "etablissements-sae"}
    assert {"had", "dialyse", "ssr", "chu_chr", "centre_hospitalier", "psychiatrie"} <= kinds
    by_id = {f.id: f for f in small_dataset.facilities}
    assert by_id["130783293"].kind == "chu_chr"  # APHM Hôpital de la Timone (FINESS cat 101)


def test_no_sports_commuting_or_diploma_figure_is_served(small_release):
    bad = ("natation", "gymnase", "multisports", "velo", "pour_travailler", "transports_en_commun", "diplom")
    root = small_release["release_dir"] / "query" / "territories"
    seen = 0
    for p in root.rglob("*.json"):
        text = p.read_text(encoding="utf-8")
        seen += 1
        assert not any(b in text for b in bad), p
    assert seen > 100
    q = json.loads((small_release["release_dir"] / "quality-report.json").read_text())
    assert any("natation" in k for k in q["indicators"]["dropped"])


def test_locate_names_the_paca_cpts_and_facilities_filter_by_kind(live_store, small_dataset):
    from rezone import release
    from rezone.facilities import facilities
    from rezone.locate import locate

    rel = release.current()
    c = small_dataset.communes["13011"]  # Les Baux-de-Provence, in the CPTS du Pays d'Arles
    a = locate(rel, c.center[0], c.center[1])
    assert a["commune"]["code"] == "13011" and [x["name"] for x in a["cpts"]] == ["CPTS du Pays d'Arles"]
    assert a["bassin_de_vie"]["code"] == "13097"
    # Marseille is shared between CPTS: the point's polygon picks one of them
    m = small_dataset.communes["13055"]
    cp = small_dataset.cpts
    inside = next(k for k in m.cpts if cp[k].geometry.representative_point() is not None)
    pt = cp[inside].geometry.representative_point()
    b = locate(rel, pt.x, pt.y)
    assert b["commune"]["code"] == "13055" and inside in [x["id"] for x in b["cpts"]] and len(b["cpts"]) < len(m.cpts)
    # outside PACA: unknown, with a reason
    s = small_dataset.communes["80827"]
    o = locate(rel, s.center[0], s.center[1])
    assert o["cpts"] is None and "non chargée" in o["cpts_reason"]
    # facilities: the kinds a doctor looks for are offered and filter the answer
    fc = facilities(rel, (4.9, 43.0, 5.9, 43.9), ["had", "dialyse", "ssr"])
    kinds = {f["properties"]["kind"] for f in fc["features"]}
    assert kinds == {"had", "dialyse", "ssr"} and fc["numberMatched"] > 10
