"""The OpenAPI 3.1 document of the whole HTTP API, generated from the routes that validate requests.

The query and eligibility routes are added to one resolver and Powertools writes their paths; the
tiles function's route table is standard-library only, so its paths are written here by hand.
:func:`add_routes` serves the document at ``GET /v1/openapi.json`` (query function).
"""

from __future__ import annotations

import json
from functools import lru_cache

from rezone.constants import PROFESSIONS, ZONE_CODES
from rezone.release import VERSION_RE
from rezone.territories import CODE_PATTERNS
from rezone.tiles import MAX_ZOOM, TILESET_RE

__all__ = ["ERRORS", "TILES_PATHS", "TITLE", "add_routes", "document", "problem_response"]

TITLE = "Rézone API"
API_VERSION = "1.0.0"  # the public contract version (paths under /v1)
DESCRIPTION = (
    "Zonage des professions de santé (médecins, infirmiers, masseurs-kinésithérapeutes, sages-femmes, "
    "chirurgiens-dentistes, orthophonistes), chiffres clés des territoires, établissements de santé et aides "
    "à l'installation. Toutes les erreurs sont des problem+json (RFC 9457) avec un titre en français et le "
    "paramètre en cause. Chaque valeur porte sa source et son millésime ; une valeur absente vaut null avec "
    "une raison."
)

_PROBLEM_SCHEMA = {
    "type": "object", "required": ["type", "title", "status"],
    "description": "RFC 9457 problem details; title in French; param names the input at fault",
    "properties": {
        "type": {"type": "string", "const": "about:blank"}, "title": {"type": "string"},
        "status": {"type": "integer"}, "detail": {"type": "string"}, "param": {"type": "string"},
        "instance": {"type": "string"},
        "invalid_params": {"type": "array", "items": {
            "type": "object", "required": ["name", "reason"],
            "properties": {"name": {"type": "string"}, "reason": {"type": "string"}}}},
    },
}
_PROBLEM_STATUS = {
    400: "Requête invalide : paramètre mal formé ou hors limites (param le nomme)",
    404: "Ressource inconnue",
    413: "Corps de requête trop volumineux",
    415: "Corps qui n'est pas du JSON",
    422: "Corps valide en JSON mais non traitable (param nomme le champ)",
    503: "Aucune version des données publiée, ou stockage momentanément indisponible (Retry-After)",
}


def problem_response(status: int, description: str | None = None) -> dict:
    """The documented answer of an error: problem+json with the Problem schema (as every error is served)."""
    return {"description": description or _PROBLEM_STATUS[status],
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _errors(*statuses: int, **described: str) -> dict:
    out = {str(s): problem_response(s) for s in statuses}
    out.update({k.removeprefix("e"): problem_response(int(k.removeprefix("e")), v) for k, v in described.items()})
    return out


# Errors each operation answers (besides its success), exactly as served.
ERRORS: dict[tuple[str, str], dict] = {
    ("get", "/v1/health"): _errors(503),
    ("get", "/v1/locate"): _errors(400, 503, e404="Le point n'est dans aucune commune de cette version"),
    ("get", "/v1/communes"): _errors(400, 503),
    ("get", "/v1/territories/{level}/{code}"): _errors(400, 503, e404="Territoire inconnu de cette version"),
    ("get", "/v1/facilities"): _errors(400, 503),
    ("get", "/v1/downloads"): _errors(503),
    ("get", "/v1/downloads/{name}"): _errors(400, 503, e404="Fichier inconnu de cette version (param file)"),
    ("get", "/v1/openapi.json"): {},
    ("get", "/v1/aids"): _errors(400, 503),
    ("get", "/v1/eligibility/questions"): _errors(400, 503),
    ("post", "/v1/eligibility"): _errors(
        413, 415, 503, e400="Corps qui n'est pas un JSON valide (param body)",
        e422="Champ invalide, commune inconnue, point hors de toute commune, zonage d'une autre profession "
             "(param nomme le champ)"),
}

_TILESET = {"name": "tileset", "in": "path", "required": True, "description": "Jeu de tuiles (voir /tiles/{tileset}.json)",
            "schema": {"type": "string", "pattern": TILESET_RE.pattern, "examples": ["zonage", "facilities", "boundaries"]}}
_COORD_MAX = (1 << MAX_ZOOM) - 1


def _coord(name: str, desc: str, maximum: int) -> dict:
    return {"name": name, "in": "path", "required": True, "description": desc,
            "schema": {"type": "integer", "minimum": 0, "maximum": maximum}}


_RELEASE_V = {"name": "v", "in": "query", "required": False,
              "description": "Version des données (comme dans les URL de TileJSON) : la tuile de cette version, "
                             "mise en cache un an ; sans v, celle de la version en ligne, cache court ; 404 pour "
                             "une version inconnue ou supprimée",
              "schema": {"type": "string", "pattern": VERSION_RE.pattern}}


def _tile_op(fmt: str, media: str, summary: str) -> dict:
    return {"get": {
        "tags": ["tiles"], "operationId": f"tile_{fmt}", "summary": summary,
        "description": "x et y inférieurs à 2^z ; une tuile hors de la pyramide, d'un zoom hors de "
                       "[minzoom, maxzoom] du jeu ou d'un autre format est une 404.",
        "parameters": [_TILESET, _coord("z", "Zoom", MAX_ZOOM), _coord("x", "Colonne (< 2^z)", _COORD_MAX),
                       _coord("y", "Ligne (< 2^z)", _COORD_MAX), _RELEASE_V],
        "responses": {
            "200": {"description": "La tuile telle qu'archivée (MVT : Content-Encoding gzip)",
                    "headers": {"ETag": {"schema": {"type": "string"}}},
                    "content": {media: {"schema": {"type": "string", "format": "binary"}}}},
            "204": {"description": "Tuile vide (rien à dessiner)"},
            "304": {"description": "Non modifiée (If-None-Match)"},
            **_errors(400, 404, 503)}}}


TILES_PATHS: dict = {
    "/tiles/{tileset}.json": {"get": {
        "tags": ["tiles"], "operationId": "tilejson", "summary": "TileJSON 3.0.0 d'un jeu de tuiles",
        "parameters": [_TILESET],
        "responses": {"200": {"description": "TileJSON", "content": {"application/json": {"schema": {
            "type": "object", "required": ["tilejson", "tiles", "version", "release", "minzoom", "maxzoom"],
            "properties": {"tilejson": {"type": "string", "const": "3.0.0"},
                           "version": {"type": "string", "description": "Version (semver) du schéma du jeu"},
                           "release": {"type": "string", "description": "Version des données servies"},
                           "tiles": {"type": "array", "items": {"type": "string"}},
                           "minzoom": {"type": "integer"}, "maxzoom": {"type": "integer"},
                           "bounds": {"type": "array", "items": {"type": "number"}},
                           "center": {"type": "array", "items": {"type": "number"}},
                           "vector_layers": {"type": "array", "items": {"type": "object"}},
                           "format": {"type": "string"},
                           "attribution": {"type": "string"}}}}}},
                      **_errors(400, 404, 503)}}},
    "/tiles/{tileset}/{z}/{x}/{y}.mvt": _tile_op("mvt", "application/vnd.mapbox-vector-tile",
                                                 "Tuile vectorielle Mapbox (gzip)"),
    "/tiles/{tileset}/{z}/{x}/{y}.png": _tile_op("png", "image/png", "Tuile raster PNG (jeu acces-hopital)"),
    "/tiles/fonts/{fontstack}/{range}.pbf": {"get": {
        "tags": ["tiles"], "operationId": "glyphs", "summary": "Glyphes SDF des noms de lieux (plage de 256 points)",
        "description": "L'URL glyphs des styles (avec ?v=<version> : cache permanent). Une plage inconnue, ou une "
                       "police absente de la version, est une 404.",
        "parameters": [
            {"name": "fontstack", "in": "path", "required": True, "description": "Police(s), séparées par des virgules",
             "schema": {"type": "string", "examples": ["DejaVu Sans Book"]}},
            {"name": "range", "in": "path", "required": True, "description": "Plage : début-fin, 256 points",
             "schema": {"type": "string", "pattern": "^[0-9]{1,5}-[0-9]{1,5}$", "examples": ["0-255"]}},
            {"name": "v", "in": "query", "required": False, "description": "Version des données (cache permanent)",
             "schema": {"type": "string"}}],
        "responses": {"200": {"description": "Protobuf des glyphes (Content-Encoding gzip)",
                              "content": {"application/x-protobuf": {"schema": {"type": "string", "format": "binary"}}}},
                      **_errors(400, 404, 503)}}},
    "/tiles/styles/{profession}.json": {"get": {
        "tags": ["tiles"], "operationId": "style", "summary": "Style MapLibre d'une profession",
        "parameters": [{"name": "profession", "in": "path", "required": True, "description": "Profession",
                        "schema": {"type": "string", "enum": list(PROFESSIONS)}}],
        "responses": {"200": {"description": "Style MapLibre v8 (sources absolues sur cet hôte)",
                              "content": {"application/json": {"schema": {
                                  "type": "object", "required": ["version", "sources", "layers"],
                                  "properties": {"version": {"const": 8}, "sources": {"type": "object"},
                                                 "layers": {"type": "array"}}}}}},
                      **_errors(404, 503)}}},
}


def _territory_paths(doc: dict) -> None:
    """``/v1/territories/{level}/{code}`` → one documented path per level, each with its code pattern (the
    route is one; the document states which codes each level takes)."""
    generic = doc["paths"].pop("/v1/territories/{level}/{code}")["get"]
    for level, pattern in CODE_PATTERNS.items():
        op = json.loads(json.dumps(generic))
        op["operationId"] = f"territory_{level}"
        op["parameters"] = [dict(p, schema=dict(p["schema"], pattern=pattern.pattern))
                            for p in op["parameters"] if p["name"] != "level"]
        doc["paths"][f"/v1/territories/{level}/{{code}}"] = {"get": op}


def _eligibility_alternatives(schemas: dict) -> None:
    """State the request's alternatives the validators enforce: a commune or a point; a location or a simulated
    zone code; the zone code of the request's profession."""
    schemas["Location"]["anyOf"] = [
        {"required": ["commune"], "properties": {"commune": {"type": "string"}}},
        {"required": ["lat", "lon"], "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}}},
    ]
    req = schemas["EligibilityRequest"]
    req["anyOf"] = [
        {"required": ["location"], "properties": {"location": {"type": "object"}}},
        {"required": ["zone"], "properties": {"zone": {"type": "object", "required": ["code"],
                                                       "properties": {"code": {"type": "string"}}}}},
    ]
    req["allOf"] = [
        {"if": {"required": ["profession"], "properties": {"profession": {"const": p}}},
         "then": {"properties": {"zone": {"properties": {"code": {"enum": [*ZONE_CODES[p], None]}}}}}}
        for p in PROFESSIONS
    ]


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
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = _PROBLEM_SCHEMA
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)  # validation errors are served as Problem (400 / 422), never this shape
    for path, item in doc["paths"].items():
        for method, op in item.items():
            responses = {k: v for k, v in op.get("responses", {}).items() if k.startswith("2")}
            responses.update(ERRORS[(method, path)])
            op["responses"] = responses
    _territory_paths(doc)
    _eligibility_alternatives(schemas)
    doc["paths"].update(TILES_PATHS)
    return doc


def add_routes(app) -> None:
    """Serve the document at ``GET /v1/openapi.json``."""
    from rezone.http import SHORT_CACHE

    from .common import ok

    @app.get("/v1/openapi.json", summary="Document OpenAPI 3.1 de l'API", tags=["service"])
    def openapi():
        return ok(document(), SHORT_CACHE)
