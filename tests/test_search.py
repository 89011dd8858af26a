"""Commune search: normalisation, and real queries on the small build."""

from __future__ import annotations

import pytest
from rezone import release
from rezone.search import name_keys, normalize, query_variants, search


@pytest.mark.parametrize("text,expected", [
    ("Saint-Étienne", "saint etienne"), ("ST ÉTIENNE", "saint etienne"), ("Ste-Marie", "sainte marie"),
    ("L'Haÿ-les-Roses", "l hay les roses"), ("Œuilly", "oeuilly"), ("  Saint--Valery   sur Somme ", "saint valery sur somme"),
])
def test_normalize(text, expected):
    assert normalize(text) == expected


def test_name_keys_and_variants():
    assert name_keys("Le Crotoy") == ["le crotoy", "crotoy"]
    assert name_keys("L'Étoile") == ["l etoile", "etoile"]
    assert name_keys("Lens") == ["lens"]
    assert query_variants("ste") == ["sainte", "ste"]  # "ste" may also be the start of Stenay
    assert query_variants("st-val") == ["saint val"]
    assert query_variants(" - ") == []


def codes(q, limit=10):
    return [r["code"] for r in search(release.current(), q, limit)]


@pytest.mark.needs_sources
@pytest.mark.parametrize("q", ["Amiens", "amiens", "AMIENS", "amie", "80000", "80021", "80080"])
def test_amiens_first(live_store, q):
    assert codes(q)[0] == "80021"


@pytest.mark.needs_sources
@pytest.mark.parametrize("q,code", [
    ("Saint-Étienne-du-Grès", "13094"), ("saint etienne", "13094"), ("st etienne", "13094"),
    ("St-Étienne du G", "13094"), ("Péronne", "80620"), ("peronne", "80620"), ("ste lucie", "2A308"),
    ("Sainte-Lucie-de-Tallano", "2A308"), ("crotoy", "80228"), ("le crotoy", "80228"), ("ajaccio", "2A004"),
    ("2A004", "2A004"), ("2a004", "2A004"), ("13001", "13055"), ("paris", "75056"), ("75008", "75056"),
    ("st valery sur somme", "80721"),
])
def test_finds(live_store, q, code):
    assert codes(q)[0] == code


@pytest.mark.needs_sources
def test_ranking_exact_then_population(live_store, small_dataset):
    res = search(release.current(), "saint", 50)
    pops = [r["population"] or 0 for r in res]
    assert pops == sorted(pops, reverse=True) and len(res) > 10
    # "marseille" exact beats nothing else; a prefix lists by population
    res = search(release.current(), "la", 10)
    assert res[0]["code"] == "13028"  # La Ciotat, the most populous "La …" commune of the build


@pytest.mark.needs_sources
def test_result_shape_and_limit(live_store, small_dataset):
    res = search(release.current(), "saint", 3)
    assert len(res) == 3
    r = search(release.current(), "amiens", 1)[0]
    c = small_dataset.communes["80021"]
    assert r == {"code": "80021", "name": "Amiens", "departement": {"code": "80", "name": "Somme"},
                 "postal_codes": c.postal_codes, "population": c.population,
                 "center": {"lon": round(c.center[0], 5), "lat": round(c.center[1], 5)}}


@pytest.mark.needs_sources
@pytest.mark.parametrize("q", ["zzzz", "99999", "x", "8", "é"])
def test_no_match_is_empty(live_store, q):
    assert codes(q) == []


class _FakeRelease:
    """Just enough of rezone.release.Release for search(): json(rel) of shards built from names."""

    def __init__(self, communes):  # [(code, name, population)]
        from collections import defaultdict

        shards = defaultdict(lambda: defaultdict(lambda: (set(), set())))
        for code, name, _ in communes:
            for i, key in enumerate(name_keys(name)):
                shards[key[:2].replace(" ", "_")][key][1 if i else 0].add(code)
        self.files = {}
        for bucket, keys in shards.items():
            codes = sorted({c for sets in keys.values() for s in sets for c in s},
                           key=lambda c: (-next(p for k, _, p in communes if k == c), c))
            pos = {c: i for i, c in enumerate(codes)}
            ks = sorted(keys)
            self.files[f"query/search/n/{bucket}.json"] = {
                "keys": ks, "entries": [sorted(pos[c] for c in keys[k][0]) for k in ks],
                "alt": [sorted(pos[c] for c in keys[k][1]) for k in ks],
                "records": [{"code": c, "population": next(p for k, _, p in communes if k == c)} for c in codes]}

    def json(self, rel):
        from rezone.storage import NotFound

        if rel not in self.files:
            raise NotFound(rel)
        return self.files[rel]


def test_ranking_rules_on_a_synthetic_index():
    rel = _FakeRelease([("1", "Saint", 10), ("2", "Saint-Denis", 100_000), ("3", "Le Saint", 50_000),
                        ("4", "Sainte-Anne", 5_000), *((f"9{i:03d}", f"Saint-Lieu-{i}", i) for i in range(500))])
    codes = [r["code"] for r in search(rel, "saint", 5)]
    assert codes[0] == "1"  # the exact name first, however small
    assert codes[1:4] == ["2", "3", "4"]  # then by population: an article-less exact name ranks as a prefix
    assert [r["code"] for r in search(rel, "saint lieu", 3)] == ["9499", "9498", "9497"]
    assert len(search(rel, "saint", 50)) == 50
