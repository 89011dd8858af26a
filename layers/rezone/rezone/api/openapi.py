"""The OpenAPI 3.1 document of the whole HTTP API, generated from the routes that validate requests.

The query and eligibility routes are added to one resolver and Powertools writes their paths; the
tiles function's route table is standard-library only, so its paths are written here by hand.
:func:`add_routes` serves the document at ``GET /v1/openapi.json`` (query function).
"""

from __future__ import annotations

import json
from functools import lru_cache

__all__ = ["TILES_PATHS", "TITLE", "add_routes", "document"]

TITLE = "Rézone API"
API_VERSION = "1.0.0"  # the public contract version (paths under /v1)
DESCRIPTION = (
    "Zonage des professions de santé (médecins, infirmiers, masseurs-kinésithérapeutes, sages-femmes, "
    "chirurgiens-dentistes, orthophonistes), chiffres clés des territoires, établissements de santé et aides "
    "à l'installation. Toutes les erreurs sont des problem+json (RFC 9457) avec un titre en français et le "
    "paramètre en cause. Chaque valeur porte sa source et son millésime ; une valeur absente vaut null avec "
    "une raison."
)

_PROBLEM = {"description": "Erreur (problem+json, RFC 9457)",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
_PROBLEM_SCHEMA = {
    "type": "object", "required": ["type", "title", "status"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "param": {"type": "string"}, "instance": {"type": "string"},
                   "invalid_params": {"type": "array", "items": {"type": "object"}}},
}
_TILESET = {"name": "tileset", "in": "path", "required": True, "description": "Jeu de tuiles",
            "schema": {"type": "string", "examples": ["zonage", "facilities", "boundaries"]}}


def _int(name: str, desc: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": desc,
            "schema": {"type": "integer", "minimum": 0}}


TILES_PATHS: dict = {
    "/tiles/{tileset}.json": {"get": {
        "tags": ["tiles"], "operationId": "tilejson", "summary": "TileJSON 3.0.0 d'un jeu de tuiles",
        "parameters": [_TILESET],
        "responses": {"200": {"description": "TileJSON", "content": {"application/json": {"schema": {
            "type": "object", "required": ["tilejson", "tiles"],
            "properties": {"tilejson": {"type": "string"}, "tiles": {"type": "array", "items": {"type": "string"}},
                           "minzoom": {"type": "integer"}, "maxzoom": {"type": "integer"},
                           "bounds": {"type": "array", "items": {"type": "number"}},
                           "vector_layers": {"type": "array", "items": {"type": "object"}},
                           "attribution": {"type": "string"}}}}}},
                      "404": _PROBLEM}}},
    "/tiles/{tileset}/{z}/{x}/{y}.mvt": {"get": {
        "tags": ["tiles"], "operationId": "tile", "summary": "Tuile vectorielle Mapbox (gzip)",
        "parameters": [_TILESET, _int("z", "Zoom"), _int("x", "Colonne"), _int("y", "Ligne")],
        "responses": {
            "200": {"description": "Tuile MVT, Content-Encoding: gzip",
                    "content": {"application/vnd.mapbox-vector-tile": {"schema": {"type": "string",
                                                                                    "format": "binary"}}}},
            "204": {"description": "Tuile vide"},
            "304": {"description": "Non modifiée (If-None-Match)"},
            "400": _PROBLEM, "404": _PROBLEM}}},
}


def _resolver():
    from . import eligibility, query
    from .common import make_resolver

    app = make_resolver()
    query.add_routes(app)
    add_routes(app)
    eligibility.add_routes(app)
    return app


@lru_cache(maxsize=1)
def document() -> dict:
    """The OpenAPI 3.1 document (a plain dict, computed once per process)."""
    from aws_lambda_powertools.event_handler.openapi.models import Server

    app = _resolver()
    doc = json.loads(app.get_openapi_json_schema(title=TITLE, version=API_VERSION, description=DESCRIPTION,
                                                 servers=[Server(url="/", description="Même origine")]))
    doc.setdefault("components", {}).setdefault("schemas", {})["Problem"] = _PROBLEM_SCHEMA
    for item in doc.get("paths", {}).values():
        for op in item.values():
            for status in ("400", "404"):
                op.setdefault("responses", {}).setdefault(status, _PROBLEM)
    doc["paths"].update(TILES_PATHS)
    return doc


def add_routes(app) -> None:
    """Serve the document at ``GET /v1/openapi.json``."""
    from rezone.http import SHORT_CACHE

    from .common import ok

    @app.get("/v1/openapi.json", summary="Document OpenAPI 3.1 de l'API", tags=["service"])
    def openapi():
        return ok(document(), SHORT_CACHE)
