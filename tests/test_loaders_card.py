"""Optional card sources (RPPS, ameli, DREES APL of other professions, BPE D2): parsers on hand-written
samples in the published formats (../shared/reference/source-layouts.md), and their automatic use by
``ingest`` when the files are in the sources directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rezone_build.loaders_card import CARD_FILES, parse_ameli, parse_apl_workbook, parse_bpe_d2, parse_rpps

FIX = Path(__file__).parent / "fixtures" / "optional"
RPPS = FIX / "rpps/PS_LibreAcces_Personne_activite_202601150930.txt"


def write_apl_nurses(path: Path) -> None:
    """A DREES APL workbook for nurses: title rows, header on row 9, units on row 10, data from row 11."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.create_sheet("Paramètres").append(["Paramètres du calcul"])
    for year, vals in (("2022", (118.587, 95.0)), ("2023", (120.0, 97.5))):
        ws = wb.create_sheet(f"APL {year}")
        for line in ("Accessibilité potentielle localisée (APL) aux infirmières", None, f"Millésime : {year}",
                     "Sources : …", "Champ : … France hors Mayotte.", "Lecture : …", "Note : …", None):
            ws.append([line])
        ws.append(["Code commune INSEE", "Commune", "APL aux infirmières",
                   f"Population standardisée {int(year) - 2} pour les infirmières", f"Population totale {int(year) - 2}"])
        ws.append([None, None, "En ETP pour 100 000 habitants standardisés", None, None])
        ws.append(["80827", "Woincourt", vals[0], 1250.2, 1302])
        ws.append(["01039", "Béon", vals[1], 400.0, 420])
    wb.save(path)


def write_bpe_d2(path: Path) -> None:
    """An INSEE BPE D2 workbook shaped like the D1/D3 one (4 title rows, labels, codes, data)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "COM"
    for line in ("BPE 2020 - Base permanente des équipements : fonctions médicales et paramédicales",
                 "France - Communes", "Mise en ligne le …", "Source(s) : Insee, BPE 2020"):
        ws.append([line])
    ws.append(["CODGEO", "Libellé commune ou ARM", "Région", "Département", "Médecin omnipraticien", "Infirmier",
               "Masseur kinésithérapeute"])
    ws.append(["CODGEO", "LIBGEO", "REG", "DEP", "NB_D201", "NB_D232", "NB_D233"])
    ws.append(["80827", "Woincourt", "32", "80", 2, 3, 1])
    ws.append(["80368", "Friville-Escarbotin", "32", "80", 5, 9, 4])
    wb.save(path)


def test_rpps_rows_by_name_with_trailing_separator():
    rows = parse_rpps(RPPS)
    assert len(rows) == 9
    gp = next(r for r in rows if r["pp"] == "810100271385")  # the real Pontarlier row
    assert gp == {"pp": "810100271385", "profession": "10", "savoir_faire": "SM53", "mode": "S",
                  "commune": "25462", "cp": "25304"}
    assert rows[0]["commune"] == "" and rows[0]["cp"] == "25300"  # commune missing, town in Bureau cedex


def test_ameli_exports():
    rows = parse_ameli(FIX / "ameli/patientele-medecintraitant-generalistes-annuelle.csv",
                       ("nombre_patients_medecin_traitant",))
    assert rows[1]["departement"] == "80" and rows[1]["nombre_patients_medecin_traitant"] == "1034"
    eff = parse_ameli(FIX / "ameli/demographie-effectifs-et-les-densites.csv", ("effectif", "densite"))
    assert eff[0]["libelle_classe_age"] == "Tout âge" and eff[0]["densite"] == "158.4"


def test_apl_and_bpe_d2_workbooks(tmp_path):
    write_apl_nurses(tmp_path / "apl.xlsx")
    prof, years = parse_apl_workbook(tmp_path / "apl.xlsx")
    assert prof == "infirmier" and years["2023"]["80827"] == 120.0 and len(years["2022"]) == 2
    write_bpe_d2(tmp_path / "d2.xlsx")
    assert parse_bpe_d2(tmp_path / "d2.xlsx")["80827"] == {"D201": 2, "D232": 3, "D233": 1}


@pytest.mark.needs_sources
def test_ingest_uses_card_files_when_present(sources_dir, tmp_path):
    from rezone_build.ingest import ingest
    from rezone_build.query_card import CardFigures
    from test_sources import mirror

    root = mirror(tmp_path, sources_dir)
    shutil.copytree(FIX, root / "optional")
    (root / "optional/drees-apl").mkdir()
    write_apl_nurses(root / "optional/drees-apl/indicateur_apl_infirmieres.xlsx")
    (root / "optional/bpe-d2").mkdir()
    write_bpe_d2(root / "optional/bpe-d2/equip-serv-medical-para-com-2020.xlsx")
    ds = ingest(root, ["80", "01"], progress=False)
    for name in CARD_FILES:
        assert ds.optional[name]["status"] == "loaded", (name, ds.optional[name])
    w = ds.communes["80827"]
    # GP once despite two activity lines, cardiologist not a GP, kiné without activity not counted
    assert w.extra["rpps"] == {"medecin": {"total": 1, "liberal": 1},
                               "infirmier": {"total": 2, "liberal": 1, "salarie": 1}}
    assert ds.communes["01138"].extra["rpps"]["masseur_kinesitherapeute"]["total"] == 1  # Béon → Culoz-Béon
    dep = ds.indicators["departement"]
    assert dep["80"]["ameli_patientele_medecin_traitant"].value == 1034.0  # latest year
    assert dep["80"]["ameli_patientele_medecin_traitant"].vintage == "2024"
    assert dep["80"]["ameli_effectif_infirmier"].value == 900 and dep["80"]["ameli_densite_infirmier"].value == 158.4
    assert dep["80"]["ameli_part_60_ans_plus_infirmier"].value == round(100 * 135 / 900, 1)
    assert w.extra["apl_autres"] == {"infirmier": {"2022": 118.587, "2023": 120.0}}
    assert w.extra["bpe_d2"] == {"D201": 2, "D232": 3, "D233": 1}
    figs = CardFigures(ds).optional([w])
    assert figs["rpps.infirmier"]["value"] == 2 and figs["rpps.infirmier"]["liberal"] == 1
    assert figs["apl_infirmier_2023"]["value"] == 120.0
    assert figs["bpe_d2.D232"]["value"] == 3


@pytest.mark.needs_sources
def test_card_files_absent_say_so(small_dataset):
    for name, pattern in CARD_FILES.items():
        assert small_dataset.optional[name]["status"] == "absent"
        assert small_dataset.optional[name]["expected_files"] == [pattern]
