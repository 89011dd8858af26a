"""The OpenAPI 3.1 document: valid, generated from the validating routes, complete."""

from __future__ import annotations

import importlib.util

from openapi_spec_validator import validate
from rezone.api.openapi import document


def test_document_is_valid_openapi_31():
    doc = document()
    assert doc["openapi"].startswith("3.1")
    validate(doc)
    assert doc["info"]["title"] == "Rézone API" and doc["info"]["description"]
    assert doc["servers"][0]["url"] == "/"


def test_paths_of_the_contract():
    paths = document()["paths"]
    for p in ("/v1/health", "/v1/locate", "/v1/communes", "/v1/facilities", "/v1/openapi.json",
              "/tiles/{tileset}.json", "/tiles/{tileset}/{z}/{x}/{y}.mvt", "/tiles/{tileset}/{z}/{x}/{y}.png",
              "/tiles/styles/{profession}.json"):
        assert p in paths and "get" in paths[p], p
    # /v1/territories/{level}/{code}: one documented path per level, each stating its code pattern
    for level in ("commune", "epci", "bassin_de_vie", "departement", "region", "france", "tvs"):
        assert "get" in paths[f"/v1/territories/{level}/{{code}}"], level
    if importlib.util.find_spec("rezone.api.eligibility") is not None:
        assert "post" in paths["/v1/eligibility"] and "get" in paths["/v1/aids"]


def test_parameters_come_from_the_validating_models():
    paths = document()["paths"]
    params = {p["name"]: p for p in paths["/v1/locate"]["get"]["parameters"]}
    assert params["lat"]["required"] and params["lat"]["schema"]["minimum"] == -90
    assert params["lat"]["schema"]["maximum"] == 90 and params["lon"]["schema"]["maximum"] == 180
    limit = {p["name"]: p for p in paths["/v1/communes"]["get"]["parameters"]}["limit"]
    assert limit["schema"]["maximum"] == 50 and limit["schema"]["minimum"] == 1
    code = {p["name"]: p for p in paths["/v1/territories/epci/{code}"]["get"]["parameters"]}["code"]
    assert code["schema"]["pattern"] == r"^\d{9}$"
    ok = paths["/v1/locate"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/LocateAnswer")
    assert "400" in paths["/v1/locate"]["get"]["responses"] and "404" in paths["/v1/locate"]["get"]["responses"]


def test_every_error_is_a_documented_problem():
    """No Powertools HTTPValidationError: every non-2xx answer of every operation is problem+json Problem."""
    doc = document()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    assert doc["components"]["schemas"]["Problem"]["properties"]["type"]["const"] == "about:blank"
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for status, resp in op["responses"].items():
                if int(status) >= 400:
                    schema = resp["content"]["application/problem+json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path, status)
    post = doc["paths"]["/v1/eligibility"]["post"]["responses"]
    assert {"400", "413", "415", "422", "503"} <= set(post)
    tile = doc["paths"]["/tiles/{tileset}/{z}/{x}/{y}.mvt"]["get"]
    z = {p["name"]: p for p in tile["parameters"]}["z"]
    assert z["schema"]["maximum"] == 30 and {"200", "204", "304", "400", "404"} <= set(tile["responses"])


def test_eligibility_body_states_its_alternatives():
    schemas = document()["components"]["schemas"]
    assert {"required": ["commune"], "properties": {"commune": {"type": "string"}}} in schemas["Location"]["anyOf"]
    req = schemas["EligibilityRequest"]
    assert len(req["anyOf"]) == 2 and len(req["allOf"]) == 6  # a location or a zone; zone codes per profession
