"""Text helpers of the ingest: properties (hypothesis) and known cases from the source files."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rezone_build.ingest_indicators import column_meta
from rezone_build.ingest_zones_rouges import epci_key
from rezone_build.normalize import deps_of_postal, finess9, finess_insee, norm_name, zip5


@given(st.integers(min_value=1000, max_value=99999))
def test_zip5_restores_the_lost_leading_zero(n):
    code = f"{n:05d}"
    assert zip5(str(int(code))) == code


@given(st.integers(min_value=10000000, max_value=999999999))
def test_finess9_restores_the_lost_leading_zero(n):
    code = f"{n:09d}"
    assert finess9(str(int(code))) == code and finess9(code + ".0") == code


@given(st.text(max_size=40))
def test_norm_name_is_idempotent_ascii(s):
    n = norm_name(s)
    assert norm_name(n) == n and n.isascii() and "  " not in n


def test_known_names_and_codes():
    assert norm_name("L'Abergement-Clémenciat") == "l abergement clemenciat"
    assert norm_name("Saint-Étienne") == norm_name("St Etienne") == "st etienne"
    assert norm_name("Argœuves") == "argoeuves"
    assert (
        zip5("1400") == "01400"
        and deps_of_postal("20000") == ("2A", "2B")
        and deps_of_postal("97133") == ("971",)
    )
    assert finess9("10000024") == "010000024"
    assert finess_insee("9A", "101") == "97101" and finess_insee("2A", "004") == "2A004"
    assert finess_insee("01", "451") == "01451"
    assert (
        epci_key("CC du Réquistanais")
        == epci_key("Communauté de communes du Réquistanais")
        == {"requistanais"}
    )


def test_column_meta_units_and_vintage():
    assert column_meta("Pharmacie (en nombre) 2024") == ("pharmacie_en_nombre", "nombre", "2024")
    assert column_meta("Densité des pharmacies pour 10 000 hab. 2024")[1:] == (
        "pour 10 000 habitants",
        "2024",
    )
    assert column_meta("Part des pers. âgées de - 15 ans 2022")[0] == "part_des_pers_agees_de_moins_de_15_ans"
    assert column_meta("Taux de pauvreté 2021") == ("taux_de_pauvrete", "%", "2021")
