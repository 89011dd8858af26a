"""The query function end to end: API Gateway v2 events in, problem+json or JSON out, never a 500."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rezone_infra.server import load_handler, make_event

pytestmark = pytest.mark.needs_sources


def call(path, query=""):
    resp = load_handler("query")(make_event("GET", path, query, {"host": "test"}, None), None)
    body = resp["body"]
    return resp["statusCode"], resp["headers"], (json.loads(body) if body else None)


def assert_problem(status, headers, body, expected_status=None, param=None):
    assert 400 <= status < 500 and (expected_status is None or status == expected_status), (status, body)
    assert headers["Content-Type"].startswith("application/problem+json")
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert body["status"] == status and body["title"]
    if param:
        assert body["param"] == param, body


def test_health(live_store):
    s, _h, b = call("/v1/health")
    assert s == 200 and (b["status"], b["release"]) == ("ok", live_store["version"])
    assert b["verified"] is True and b["verified_at"] and b["published_at"]  # publish verified every object
    assert {x["id"] for x in b["sources"]} >= {"apl", "decoupage-administratif", "zonage-medecins"}


@pytest.mark.parametrize("code,lat,lon", [("75056", 48.8566, 2.3522), ("13055", 43.2965, 5.3698),
                                          ("80021", 49.8942, 2.2957), ("2A004", 41.9192, 8.7386)])
def test_locate_contract(live_store, code, lat, lon):
    s, h, b = call("/v1/locate", f"lat={lat}&lon={lon}")
    assert s == 200 and b["commune"]["code"] == code, b
    for k in ("departement", "region", "epci"):
        assert b[k]["code"] and b[k]["name"]
    assert set(b["zonage"]) == {"medecin", "infirmier", "masseur_kinesitherapeute", "sage_femme",
                                "chirurgien_dentiste", "orthophoniste"}
    for z in b["zonage"].values():
        assert {"code", "label", "source", "vintage"} <= set(z)
    assert "qpv" in b and "flags" in b and b["release"] == live_store["version"]
    assert h["Cache-Control"].startswith("public") and h["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("query,status,param", [
    ("lat=45.0&lon=-5.0", 404, "lat"), ("lon=2", 400, "lat"), ("lat=49", 400, "lon"), ("lat=abc&lon=2", 400, "lat"),
    ("lat=NaN&lon=2", 400, "lat"), ("lat=49&lon=inf", 400, "lon"), ("lat=95&lon=2", 400, "lat"),
    ("lat=49&lon=-181", 400, "lon"), ("lat=&lon=", 400, None), ("lat=1e400&lon=2", 400, "lat"),
])
def test_locate_bad_input(live_store, query, status, param):
    assert_problem(*call("/v1/locate", query), status, param)


@pytest.mark.parametrize("q", ["Amiens", "amiens", "80000"])
def test_search_amiens(live_store, q):
    s, _h, b = call("/v1/communes", urlencode({"q": q, "limit": 5}))
    assert s == 200 and b["results"][0]["code"] == "80021"
    r = b["results"][0]
    assert {"code", "name", "departement", "postal_codes", "population", "center"} <= set(r)


@pytest.mark.parametrize("query,param", [("q=amiens&limit=500", "limit"), ("q=amiens&limit=0", "limit"),
                                         ("q=amiens&limit=x", "limit"), ("limit=5", "q"), ("q=", "q"),
                                         ("q=%20%20", "q"), ("q=" + "a" * 101, "q")])
def test_search_bad_input(live_store, query, param):
    assert_problem(*call("/v1/communes", query), 400, param)


@pytest.mark.parametrize("level,code", [("commune", "80021"), ("departement", "80"), ("region", "32"),
                                        ("france", "FR"), ("departement", "2A")])
def test_territories(live_store, level, code):
    s, _h, b = call(f"/v1/territories/{level}/{code}")
    assert s == 200 and b["code"] == code and b["figures"]["population"]["value"] > 0


@pytest.mark.parametrize("path,status,param", [
    ("/v1/territories/planet/1", 400, "level"), ("/v1/territories/commune/99999", 404, "code"),
    ("/v1/territories/commune/..", 400, "code"), ("/v1/territories/departement/81", 404, "code"),
    ("/v1/territories/epci/12", 400, "code"), ("/v1/territories/tvs/X1", 404, "code"),
])
def test_territories_bad_input(live_store, path, status, param):
    assert_problem(*call(path), status, param)


def test_facilities_geojson(live_store):
    s, _h, b = call("/v1/facilities", "bbox=2.2,49.85,2.4,49.95")
    assert s == 200 and b["type"] == "FeatureCollection" and b["numberReturned"] == len(b["features"])
    for f in b["features"]:
        x, y = f["geometry"]["coordinates"]
        assert 2.2 <= x <= 2.4 and 49.85 <= y <= 49.95 and f["properties"]["precision"]


@pytest.mark.parametrize("query,param", [("bbox=0,40,10,50", "bbox"), ("bbox=1,2,3", "bbox"), ("bbox=a,b,c,d", "bbox"),
                                         ("bbox=2,49,1,50", "bbox"), ("bbox=nan,49,2,50", "bbox"), ("", "bbox"),
                                         ("bbox=2,49,2.5,49.5&limit=100000", "limit")])
def test_facilities_bad_input(live_store, query, param):
    assert_problem(*call("/v1/facilities", query), 400, param)


def test_openapi_route(live_store):
    s, _h, b = call("/v1/openapi.json")
    assert s == 200 and b["openapi"].startswith("3.1") and "/v1/locate" in b["paths"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["lat", "lon", "q", "limit", "bbox", "type"]),
                       st.text(max_size=30) | st.floats(allow_nan=True).map(str), max_size=4),
       st.sampled_from(["/v1/locate", "/v1/communes", "/v1/facilities", "/v1/territories/commune/80021"]))
def test_never_500(live_store, params, path):
    s, h, b = call(path, urlencode(params))
    assert s in (200, 400, 404), (s, b)
    assert "Access-Control-Allow-Origin" in h


EVENTS = Path(__file__).parent / "events"


@pytest.mark.parametrize("name,check", [
    ("health", lambda b: b["status"] == "ok"),
    ("locate_amiens", lambda b: b["commune"]["code"] == "80021"),
    ("communes_search", lambda b: b["results"][0]["code"] == "80021"),
    ("territory_commune_amiens", lambda b: b["code"] == "80021" and b["figures"]["population"]["value"] > 0),
])
def test_recorded_api_gateway_events(live_store, name, check):
    """The events API Gateway sends behind CloudFront (tests/events/*.json) answer like local ones."""
    event = json.loads((EVENTS / f"{name}.json").read_text())
    resp = load_handler("query")(event, None)
    assert resp["statusCode"] == 200 and check(json.loads(resp["body"]))
    assert resp["headers"]["Access-Control-Allow-Origin"] == "*"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.floats(-95, 95), st.sampled_from(["49.8942", "43.2965", "45", "-5.0", "91", "1e1", "nan", ""])),
       st.one_of(st.floats(-185, 185), st.sampled_from(["2.2957", "5.3698", "-181", "0x1", " 2", "inf"])))
def test_fast_path_answers_like_the_resolver(live_store, lat, lon):
    """The cold-start fast path and the typed resolver give the same status and body for any locate query."""
    from rezone.api.functions import make_query

    event = make_event("GET", "/v1/locate", urlencode({"lat": lat, "lon": lon}), {}, None)
    fast = load_handler("query")(event, None)
    full = make_query(fast=False)(event, None)
    assert fast["statusCode"] == full["statusCode"]
    assert json.loads(fast["body"]) == json.loads(full["body"])
    assert fast["headers"]["Content-Type"] == full["headers"]["Content-Type"]
    assert fast["headers"].get("Cache-Control") == full["headers"].get("Cache-Control")


def test_cold_locate_imports_neither_powertools_nor_numpy(live_store):
    """A fresh query function answers a plain locate without importing the resolver, pydantic or numpy."""
    import subprocess
    import sys

    from rezone_infra.server import ROOT

    code = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('q', {str(ROOT / 'functions/query/app.py')!r})\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "from rezone_infra.server import make_event\n"
        "r = m.handler(make_event('GET', '/v1/locate', 'lat=49.8942&lon=2.2957', {}, None), None)\n"
        "heavy = [k for k in ('aws_lambda_powertools', 'pydantic', 'numpy', 'shapely') if k in sys.modules]\n"
        "print(json.dumps({'status': r['statusCode'], 'code': json.loads(r['body'])['commune']['code'], "
        "'heavy': heavy}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"REZONE_STORE": str(live_store["store"]), "PATH": "/usr/bin:/bin"})
    # the last line; the function's EMF metrics line comes before it
    assert json.loads(out.stdout.splitlines()[-1]) == {"status": 200, "code": "80021", "heavy": []}
