"""Routes of the query function: health, locate, commune search, territories, facilities, OpenAPI.

Parameters are typed and bounded with Powertools' ``Query``/``Path`` (pydantic), so the same
declarations validate requests and generate the OpenAPI document (:mod:`rezone.api.openapi`).
Validation failures become 400 problem+json through :func:`rezone.api.common.make_resolver`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, Field

from rezone import facilities as _facilities
from rezone import locate as _locate
from rezone import search as _search
from rezone import territories as _territories
from rezone.constants import LEVELS
from rezone.http import NO_STORE, SHORT_CACHE, ApiError, json_response
from rezone.release import current

__all__ = ["router"]

router = APIGatewayHttpRouter()

Level = Literal[LEVELS]  # a tuple subscript: Literal["commune", "epci", …]
Lat = Annotated[float, Query(ge=-90, le=90, allow_inf_nan=False, description="Latitude WGS84 (degrés)",
                             examples=[49.8942])]
Lon = Annotated[float, Query(ge=-180, le=180, allow_inf_nan=False, description="Longitude WGS84 (degrés)",
                             examples=[2.2957])]


class Health(BaseModel):
    status: Literal["ok"]
    release: str


class Named(BaseModel):
    code: str
    name: str | None = None


class Zone(BaseModel):
    code: str | None = Field(description="Code de zone du vocabulaire Rézone, null si inconnu")
    label: str | None = Field(description="Libellé de la source, tel quel")
    source: str | None
    vintage: str | None
    reason: str | None = None


class LocateAnswer(BaseModel):
    commune: Named
    epci: Named | None
    departement: Named
    region: Named
    qpv: dict | None = Field(description="Le QPV contenant le point (polygones disponibles), sinon null")
    zonage: dict[str, Zone]
    flags: dict
    match: dict
    release: str


class CommuneHit(BaseModel):
    code: str
    name: str
    departement: Named
    postal_codes: list[str]
    population: int | None
    center: dict | None


class SearchAnswer(BaseModel):
    results: list[CommuneHit]


def _ok(payload, cache: str = SHORT_CACHE) -> Response:
    """A JSON answer (strict JSON, shared headers); URLs do not embed the release: short cache."""
    raw = json_response(200, payload, cache)
    return Response(status_code=200, content_type=raw["headers"]["Content-Type"], body=raw["body"],
                    headers={k: v for k, v in raw["headers"].items() if k != "Content-Type"})


def _doc(model, description: str, **more) -> dict:
    """``responses=`` for a route: its 200 model (documented, not re-validated) and its problems."""
    out = {200: {"description": description, "content": {"application/json": {"model": model}}}}
    out.update({k: {"description": v} for k, v in more.items()})
    return out


@router.get("/v1/health", summary="État du service et version des données", tags=["service"],
            responses=_doc(Health, "Service disponible"))
def health():
    return _ok({"status": "ok", "release": current().version}, NO_STORE)


@router.get("/v1/locate", summary="Commune, QPV et zonage d'un point", tags=["query"],
            responses={**_doc(LocateAnswer, "La commune et le zonage du point"),
                       404: {"description": "Le point n'est dans aucune commune (problem+json)"}})
def locate(lat: Lat, lon: Lon):
    return _ok(_locate.locate(current(), lon, lat))


@router.get("/v1/communes", summary="Recherche de communes (nom, code INSEE, code postal)", tags=["query"],
            responses=_doc(SearchAnswer, "Communes trouvées, les meilleures d'abord"))
def communes(
    q: Annotated[str, Query(min_length=1, max_length=100, description="Nom (début), code INSEE ou code postal",
                            examples=["saint etienne"])],
    limit: Annotated[int, Query(ge=1, le=50, description="Nombre maximal de résultats")] = 10,
):
    if not q.strip():
        raise ApiError(400, "Paramètre invalide", "q ne doit pas être vide.", "q")
    return _ok({"results": _search.search(current(), q, limit)})


@router.get("/v1/territories/<level>/<code>", summary="Chiffres clés d'un territoire et de ses territoires englobants",
            tags=["query"])
def territories(
    level: Annotated[Level, Path(description="Niveau de territoire")],
    code: Annotated[str, Path(max_length=12, description="Code officiel (COG 2026, SIREN pour un EPCI, FR)")],
):
    return _ok(_territories.territory(current(), level, code))


@router.get("/v1/facilities", summary="Établissements de santé dans une emprise (GeoJSON)", tags=["query"])
def facilities(
    bbox: Annotated[str, Query(max_length=200, description="minlon,minlat,maxlon,maxlat (2° de côté au plus)",
                               examples=["2.2,49.85,2.35,49.95"])],
    type: Annotated[str | None, Query(max_length=300, description="Types séparés par des virgules")] = None,
    limit: Annotated[int, Query(ge=1, le=_facilities.MAX_FEATURES)] = 500,
):
    return _ok(_facilities.facilities(current(), bbox, type, limit))


@router.get("/v1/openapi.json", summary="Document OpenAPI 3.1 de l'API", tags=["service"])
def openapi():
    from rezone.api.openapi import document

    return _ok(document())
