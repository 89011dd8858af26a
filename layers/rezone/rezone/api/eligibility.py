"""Routes of the eligibility function: ``POST /v1/eligibility``, ``GET /v1/aids``, the questionnaire.

The request is a typed pydantic model (profession enum, location, optional what-if zone, as-of
date, answers generated from :data:`rezone.eligibility.vocabulary.QUESTIONS` with strict types and
bounds), so a wrong type, an unknown enum value, a negative number of days or a badly formatted
date becomes a 422 problem naming the field. Rules come from the release's
``eligibility/aids.json`` (compiled once per warm release). Nothing is stored: stateless.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
    create_model,
    model_validator,
)

from rezone import layout
from rezone.constants import PROFESSIONS, ZONE_CODES
from rezone.eligibility import compile_rules, evaluate, questionnaire
from rezone.eligibility.vocabulary import QUESTIONS
from rezone.errors import Unavailable
from rezone.facts import COMMUNE_CODE_RE
from rezone.http import SHORT_CACHE
from rezone.location import WhatIf, location_facts, location_view
from rezone.release import current
from rezone.storage import NotFound

from .common import doc, ok

__all__ = ["Answers", "EligibilityRequest", "add_routes"]

Profession = Literal[PROFESSIONS]  # type: ignore[valid-type]
ZoneCode = Literal[tuple(dict.fromkeys(c for codes in ZONE_CODES.values() for c in codes))]  # type: ignore


def _iso_date(v: Any):
    """Only 'YYYY-MM-DD' strings (or dates) from 1900 to 2199 are dates: no timestamps, no other formats."""
    if isinstance(v, date) and not isinstance(v, datetime):
        v = v.isoformat()
    if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-" and v[:4].isdigit():
        if not 1900 <= int(v[:4]) <= 2199:
            raise ValueError("date hors de la période 1900-2199")
        return v
    raise ValueError("date attendue au format AAAA-MM-JJ")


IsoDate = Annotated[date, BeforeValidator(_iso_date), WithJsonSchema(
    {"type": "string", "format": "date", "pattern": r"^(?:19|20|21)\d{2}-\d{2}-\d{2}$"})]


def _answer_field(q):
    bounds = {k: v for k, v in (("ge", q.minimum), ("le", q.maximum)) if v is not None}
    meta = {"title": q.title, "description": q.description}
    if q.type == "boolean":
        t: Any = StrictBool
    elif q.type == "integer":
        t = Annotated[int, Field(strict=True, **bounds)]
    elif q.type == "number":
        t = Annotated[float, Field(strict=True, allow_inf_nan=False, **bounds)]
    elif q.type == "date":
        t = IsoDate
    elif q.type == "enum":
        t = Literal[tuple(v for v, _ in q.enum)]  # type: ignore[valid-type]
        meta["json_schema_extra"] = {"x-enum-labels": dict(q.enum)}
    else:
        t = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
    return (t | None, Field(None, **meta))


Answers = create_model(
    "Answers",
    __config__=ConfigDict(extra="forbid"),
    __doc__="Réponses au questionnaire (toutes facultatives ; voir GET /v1/eligibility/questions).",
    **{q.name: _answer_field(q) for q in QUESTIONS},
)


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")
    commune: (
        Annotated[
            str,
            Field(pattern=COMMUNE_CODE_RE.pattern, description="Code INSEE (COG 2026)", examples=["80021"]),
        ]
        | None
    ) = None
    # ranges checked once, by the core (rezone.locate.check_point), stated here for the document
    lat: Annotated[float, Field(strict=True, json_schema_extra={"minimum": -90, "maximum": 90})] | None = None
    lon: Annotated[float, Field(strict=True, json_schema_extra={"minimum": -180, "maximum": 180})] | None = None

    @model_validator(mode="after")
    def _one_way(self):
        if self.commune is None and (self.lat is None or self.lon is None):
            raise ValueError("indiquez « commune » ou bien « lat » et « lon »")
        return self


class ZoneOverride(BaseModel):
    """What-if: replace facts of the location (or give them without a location)."""

    model_config = ConfigDict(extra="forbid")
    code: ZoneCode | None = Field(None, description="Code de zone de la profession (ex. ZIP, tres_sous_dote)")
    region: Annotated[str, Field(pattern=r"^\d{2}$")] | None = Field(None, description="Code de région (COG)")
    zone_rouge: StrictBool | None = Field(None, description="Intercommunalité « zone rouge »")
    zrr: StrictBool | None = Field(None, description="Commune classée en ZRR")


class EligibilityRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    profession: Profession
    location: Location | None = None
    zone: ZoneOverride | None = None
    as_of: IsoDate | None = Field(
        None, description="Date de la simulation (AAAA-MM-JJ), par défaut aujourd'hui"
    )
    answers: Answers = Field(default_factory=Answers)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _where(self):
        if self.location is None and (self.zone is None or self.zone.code is None):
            raise ValueError(
                "indiquez « location » (commune ou lat/lon) ou un zonage « zone.code » à simuler"
            )
        return self


class Reason(BaseModel):
    condition: str = Field(description="La condition, en français")
    outcome: Literal["met", "not_met", "unknown", "not_applicable"]
    detail: str


class Installment(BaseModel):
    when: str
    amount: float | None


class Amount(BaseModel):
    total: float | None = Field(
        description="Total en euros ; null s'il dépend d'une donnée inconnue (voir note)"
    )
    currency: Literal["EUR"]
    schedule: list[Installment]
    summary: str | None = None
    note: str | None = None
    max_total: float | None = None
    missing: list[str] | None = Field(None, description="Réponses nécessaires au calcul du montant")


class Source(BaseModel):
    url: str
    title: str | None = None


class Assumption(BaseModel):
    id: str
    text: str = Field(description="Lecture retenue là où les sources divergent ou se taisent")
    alternative: str | None = None


class AidResult(BaseModel):
    id: str
    name: str
    short_name: str
    funder: str
    category: str | None
    status: Literal["eligible", "not_eligible", "missing_information"]
    amount: Amount
    reasons: list[Reason]
    missing: list[str] = Field(description="Réponses qui décideraient de l'éligibilité")
    assumptions: list[Assumption]
    sources: list[Source]
    valid_from: str | None
    valid_until: str | None
    excluded_by: list[str] | None = Field(
        None, description="Aides retenues avec lesquelles celle-ci ne se cumule pas"
    )


class EligibilityAnswer(BaseModel):
    as_of: str
    profession: Profession
    location: dict = Field(
        description="commune, epci, département, région, zonage de la profession, QPV, ZRR, "
        "zone rouge ; simulated=true si un zonage a été imposé"
    )
    aids: list[AidResult]
    total_eligible_eur: float = Field(description="Somme des montants connus des aides éligibles")
    missing: list[str] = Field(description="Réponses manquantes, toutes aides confondues")
    release: str


class CatalogueEntry(BaseModel):
    id: str
    name: str
    short_name: str
    kind: Literal["aid", "cross_cutting"]
    funder: str
    professions: list[Profession]
    category: str | None
    zone_types: list[str]
    zone_outside: bool
    zone_lists: list[str]
    regions: list[str]
    valid_from: str | None
    valid_until: str | None
    amount_summary: str | None
    description: str | None
    exclusions: list[str]
    assumptions: list[Assumption]
    sources: list[Source]


class Catalogue(BaseModel):
    aids: list[CatalogueEntry]
    count: int
    release: str


# ------------------------------------------------------------------------------------------- helpers


def _rules(release):
    """The compiled rules of a release (parsed and indexed once per warm release)."""

    def load():
        try:
            return compile_rules(release.json(layout.AIDS_CATALOGUE))
        except NotFound:
            raise Unavailable("Cette version des données n'a pas de catalogue des aides (étape « eligibility »).",
                              title="Catalogue des aides indisponible") from None

    return release.memo("eligibility.rules", load)


def _catalogue_entry(r: dict) -> dict:
    zone = r.get("zone") or {}
    amount = r.get("amount") or {}
    return {
        "id": r["id"],
        "name": r["name"],
        "short_name": r.get("short_name", r["id"]),
        "kind": r.get("kind", "aid"),
        "funder": r["funder"],
        "professions": r["professions"],
        "category": r.get("category"),
        "zone_types": zone.get("codes") or [],
        "zone_outside": bool(zone.get("outside")),
        "zone_lists": zone.get("flags") or [],
        "regions": zone.get("regions") or [],
        "valid_from": r.get("valid_from"),
        "valid_until": r.get("valid_until"),
        "amount_summary": amount.get("summary"),
        "description": r.get("description"),
        "exclusions": r.get("exclusions") or [],
        "assumptions": r.get("assumptions") or [],
        "sources": r["sources"],
    }


# -------------------------------------------------------------------------------------------- routes


def add_routes(app) -> None:
    """Register the eligibility routes on ``app`` (a resolver of :func:`rezone.api.common.make_resolver`)."""

    @app.post(
        "/v1/eligibility",
        summary="Éligibilité aux aides à l'installation",
        tags=["eligibility"],
        responses=doc(EligibilityAnswer, "Chaque aide avec statut, montant, raisons, hypothèses, sources"),
    )
    def post_eligibility(request: Annotated[EligibilityRequest, Body(description="Profession, lieu, réponses")]):
        release = current()
        rules = _rules(release)
        loc, zone = request.location, request.zone
        facts, point_qpv = location_facts(
            release, request.profession,
            commune=loc.commune if loc else None,
            point=(loc.lon, loc.lat) if loc and loc.commune is None else None,
            what_if=WhatIf(**zone.model_dump()) if zone else None,
        )
        as_of = request.as_of or datetime.now(UTC).date()
        answers = request.answers.model_dump(exclude_unset=True)
        if point_qpv:  # the point is inside a QPV polygon: the practice is in that QPV unless told otherwise
            answers.setdefault("in_qpv", True)
            if answers["in_qpv"]:
                answers.setdefault("qpv_code", point_qpv["code"])
        result = evaluate(rules, facts, answers, as_of, profession=request.profession)
        result["location"] = location_view(facts, request.profession, request.zone is not None)
        result["location"]["qpv_at_point"] = point_qpv
        result["release"] = release.version
        return ok(result)

    @app.get(
        "/v1/aids",
        summary="Catalogue des aides (sources, fenêtres de validité, montants)",
        tags=["eligibility"],
        responses=doc(Catalogue, "Toutes les règles, avec leurs sources"),
    )
    def aids(profession: Annotated[Profession | None, Query(description="Filtrer par profession")] = None):
        release = current()
        rs = _rules(release)

        def catalogue():
            items = [_catalogue_entry(r) for r in rs.documents if profession is None or profession in r["professions"]]
            return {"aids": items, "count": len(items), "release": release.version}

        return ok(release.memo(("eligibility.aids", profession), catalogue), SHORT_CACHE)

    @app.get(
        "/v1/eligibility/questions",
        summary="Questionnaire (JSON Schema) d'une profession",
        tags=["eligibility"],
        responses={200: {"description": "JSON Schema (draft 2020-12) des réponses, libellés en français"}},
    )
    def questions(profession: Annotated[Profession, Query(description="Profession")]):
        release = current()
        rs = _rules(release)
        schema = release.memo(("eligibility.questions", profession), lambda: questionnaire(rs, profession))
        return ok(schema, SHORT_CACHE)
