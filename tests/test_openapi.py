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
    for p in ("/v1/health", "/v1/locate", "/v1/communes", "/v1/territories/{level}/{code}", "/v1/facilities",
              "/v1/openapi.json", "/tiles/{tileset}.json", "/tiles/{tileset}/{z}/{x}/{y}.mvt"):
        assert p in paths and "get" in paths[p], p
    if importlib.util.find_spec("rezone.api.eligibility") is not None:
        assert "post" in paths["/v1/eligibility"] and "get" in paths["/v1/aids"]


def test_parameters_come_from_the_validating_models():
    paths = document()["paths"]
    params = {p["name"]: p for p in paths["/v1/locate"]["get"]["parameters"]}
    assert params["lat"]["required"] and params["lat"]["schema"]["minimum"] == -90
    assert params["lat"]["schema"]["maximum"] == 90 and params["lon"]["schema"]["maximum"] == 180
    limit = {p["name"]: p for p in paths["/v1/communes"]["get"]["parameters"]}["limit"]
    assert limit["schema"]["maximum"] == 50 and limit["schema"]["minimum"] == 1
    level = {p["name"]: p for p in paths["/v1/territories/{level}/{code}"]["get"]["parameters"]}["level"]
    assert set(level["schema"]["enum"]) == {"commune", "epci", "bassin_de_vie", "departement", "region", "france",
                                            "tvs"}
    ok = paths["/v1/locate"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/LocateAnswer")
    assert "400" in paths["/v1/locate"]["get"]["responses"] and "404" in paths["/v1/locate"]["get"]["responses"]
