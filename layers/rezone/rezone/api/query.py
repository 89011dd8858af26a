"""Routes of the query function: health, locate, commune search, territories, facilities, downloads.

Parameters are typed with Powertools' ``Query``/``Path`` (pydantic), so the same declarations
validate requests and generate the OpenAPI document (:mod:`rezone.api.openapi`). Range checks of
the core (a point's latitude and longitude, a box) are stated in the document
(``json_schema_extra``) and enforced once, by the core, whose domain errors the resolver maps.
:func:`add_routes` registers the routes on a resolver (each resolver owns its routes).
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, Field

from rezone import downloads as _downloads
from rezone import facilities as _facilities
from rezone import locate as _locate
from rezone import search as _search
from rezone import territories as _territories
from rezone.constants import FACILITY_FILTERS, LEVELS
from rezone.http import IMMUTABLE, NO_STORE, SHORT_CACHE, ApiError
from rezone.release import current

from .common import doc, ok
from .tiles import base_url

__all__ = ["Lat", "Lon", "add_routes", "parse_bbox"]

_TYPE = "|".join(FACILITY_FILTERS)
TYPES_PATTERN = f"^(?:{_TYPE})(?:,(?:{_TYPE}))*$"  # comma-separated known facility types
_NUM = r"-?\d{1,3}(?:\.\d+)?(?:[eE][-+]?\d{1,3})?"
BBOX_PATTERN = f"^{_NUM}(?:,{_NUM}){{3}}$"  # four decimal numbers (as repr(float) writes them); the core checks the box
Level = Literal[LEVELS]  # a tuple subscript: Literal["commune", "epci", …]
Lat = Annotated[float, Query(description="Latitude WGS84 (degrés)", examples=[49.8942],
                             json_schema_extra={"minimum": -90, "maximum": 90})]
Lon = Annotated[float, Query(description="Longitude WGS84 (degrés)", examples=[2.2957],
                             json_schema_extra={"minimum": -180, "maximum": 180})]
class Source(BaseModel):
    id: str
    title: str
    license: str | None
    vintage: str | None
    upstream: str | None = Field(description="Fichier d'origine (URL), null si non publié")


class Health(BaseModel):
    status: Literal["ok"]
    release: str
    verified: bool = Field(description="every object of the release was checked against its release.json "
                                       "(size, sha256) before it went live")
    verified_at: str | None = None
    published_at: str | None = None
    sources: list[Source] = Field(description="Sources de la version des données : titre, millésime, licence")


class DownloadFile(BaseModel):
    id: str
    title: str
    format: Literal["CSV", "JSON"]
    media_type: str
    url: str = Field(description="Adresse du fichier, propre à la version des données (cache permanent)")
    size: int = Field(description="Taille du fichier en octets")
    sha256: str
    profession: str | None = Field(description="Profession du zonage, null pour le catalogue des aides")
    rows: int | None = Field(description="Communes (CSV) ou aides (JSON)")
    sources: list[str]
    vintage: str | None


class Downloads(BaseModel):
    release: str
    files: list[DownloadFile]


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
    bassin_de_vie: dict | None = Field(None, description="Bassin de vie 2022 de la commune (INSEE), sinon null")
    cpts: list[dict] | None = Field(None, description="CPTS couvrant le point (liste ARS PACA) ; null hors des régions "
                                                      "dont la liste est chargée (voir cpts_reason)")
    cpts_reason: str | None = Field(None, description="Pourquoi cpts vaut null : liste non chargée (inconnu, pas "
                                                      "« aucune CPTS »)")
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


def parse_bbox(text: str) -> _facilities.BBox:
    """'minlon,minlat,maxlon,maxlat' → four floats (the route's pattern already holds; the core checks the box)."""
    parts = text.split(",")
    try:
        if len(parts) != 4:
            raise ValueError
        x0, y0, x1, y1 = (float(p) for p in parts)
    except ValueError:
        raise ApiError(400, "Emprise invalide", "bbox doit valoir « minlon,minlat,maxlon,maxlat » "
                       "(quatre nombres séparés par des virgules).", "bbox") from None
    return x0, y0, x1, y1


def add_routes(app) -> None:
    """Register the query routes on ``app`` (a resolver of :func:`rezone.api.common.make_resolver`)."""

    @app.get("/v1/health", summary="État du service et version des données", tags=["service"],
            responses=doc(Health, "Service disponible"))
    def health():
        rel = current()
        return ok({"status": "ok", "release": rel.version, "verified": rel.verified,
                   "verified_at": (rel.pointer.get("verified") or {}).get("at"),
                   "published_at": rel.pointer.get("published_at"), "sources": _downloads.sources(rel)}, NO_STORE)

    @app.get("/v1/downloads", summary="Fichiers ouverts de la version des données (zonages CSV, aides JSON)",
             tags=["service"], responses=doc(Downloads, "Chaque fichier avec son adresse, sa taille et son sha256"))
    def downloads():
        return ok(_downloads.listing(current(), base_url({k.lower(): v for k, v in
                                                           (app.current_event.headers or {}).items()})), SHORT_CACHE)

    @app.get("/v1/downloads/<name>", summary="Un fichier ouvert (zonage CSV d'une profession, catalogue JSON)",
             tags=["service"],
             responses={200: {"description": "Le fichier, tel que listé (taille, sha256)",
                              "content": {"text/csv": {"schema": {"type": "string"}},
                                          "application/json": {"schema": {"type": "object"}}}}})
    def download_file(
        name: Annotated[str, Path(max_length=100, description="Nom du fichier, tel que listé par /v1/downloads",
                                  examples=["zonage-medecin.csv"])],
        v: Annotated[str | None, Query(max_length=80, description="Version des données (cache permanent)")] = None,
    ):
        release = current()
        data, entry = _downloads.find(release, name)
        headers = {"Cache-Control": IMMUTABLE if v == release.version else SHORT_CACHE,
                   "Content-Disposition": f'attachment; filename="rezone-{name}"',
                   "ETag": f'"{entry["sha256"][:32]}"'}
        # no compression here: the CDN compresses /v1/* (a France-wide CSV is ~3 MB, within Lambda's 6 MB)
        ctype = entry["media_type"] + ("; charset=utf-8" if entry["format"] == "CSV" else "")
        return Response(status_code=200, content_type=ctype, body=data, headers=headers)

    @app.get("/v1/locate", summary="Commune, QPV et zonage d'un point", tags=["query"],
            responses=doc(LocateAnswer, "La commune et le zonage du point"))
    def locate(lat: Lat, lon: Lon):
        return ok(_locate.locate(current(), lon, lat), SHORT_CACHE)

    @app.get("/v1/communes", summary="Recherche de communes (nom, code INSEE, code postal)", tags=["query"],
            responses=doc(SearchAnswer, "Communes trouvées, les meilleures d'abord"))
    def communes(
        q: Annotated[str, Query(min_length=1, max_length=100, pattern=r"\S",
                                description="Nom (début), code INSEE ou code postal", examples=["saint etienne"])],
        limit: Annotated[int, Query(ge=1, le=50, description="Nombre maximal de résultats")] = 10,
    ):
        return ok({"results": _search.search(current(), q, limit)}, SHORT_CACHE)

    @app.get("/v1/territories/<level>/<code>", summary="Chiffres clés d'un territoire et de ses territoires englobants",
            tags=["query"])
    def territories(
        level: Annotated[Level, Path(description="Niveau de territoire")],
        code: Annotated[str, Path(max_length=12, description="Code officiel (COG 2026, SIREN pour un EPCI, FR)")],
    ):
        return ok(_territories.territory(current(), level, code), SHORT_CACHE)

    @app.get("/v1/facilities", summary="Établissements de santé dans une emprise (GeoJSON)", tags=["query"])
    def facilities(
        bbox: Annotated[str, Query(max_length=200, pattern=BBOX_PATTERN,
                                   description="minlon,minlat,maxlon,maxlat (2° de côté au plus)",
                                   examples=["2.2,49.85,2.35,49.95"])],
        type: Annotated[str | None, Query(max_length=300, pattern=TYPES_PATTERN,
                                          description="Types séparés par des virgules")] = None,
        limit: Annotated[int, Query(ge=1, le=_facilities.MAX_FEATURES)] = 500,
    ):
        types = type.split(",") if type else None
        return ok(_facilities.facilities(current(), parse_bbox(bbox), types, limit), SHORT_CACHE)
