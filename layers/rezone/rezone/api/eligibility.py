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

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, create_model, model_validator

from rezone.constants import PROFESSIONS, ZONE_CODES, ZONE_LABELS
from rezone.eligibility import compile_rules, evaluate, questionnaire
from rezone.eligibility.vocabulary import QUESTIONS
from rezone.facts import COMMUNE_CODE_RE, commune_facts
from rezone.http import SHORT_CACHE, ApiError, json_response, problem
from rezone.release import current
from rezone.storage import NotFound

__all__ = ["MAX_BODY", "Answers", "EligibilityRequest", "location_facts", "router", "with_body_limit"]

router = APIGatewayHttpRouter()
MAX_BODY = 64 * 1024
CATALOGUE = "eligibility/aids.json"

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


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


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
    lat: Annotated[float, Field(strict=True, ge=-90, le=90, allow_inf_nan=False)] | None = None
    lon: Annotated[float, Field(strict=True, ge=-180, le=180, allow_inf_nan=False)] | None = None

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


def _doc(model, description: str, problems: dict | None = None) -> dict:
    """``responses=`` of a route: its 200 model (documented, not re-validated) and its problems."""
    out: dict = {200: {"description": description, "content": {"application/json": {"model": model}}}}
    out.update({k: {"description": v} for k, v in (problems or {}).items()})
    return out


# ------------------------------------------------------------------------------------------- helpers


def _ok(payload, cache: str | None = None) -> Response:
    raw = json_response(200, payload, cache)
    return Response(
        status_code=200,
        content_type=raw["headers"]["Content-Type"],
        body=raw["body"],
        headers={k: v for k, v in raw["headers"].items() if k != "Content-Type"},
    )


def _rules(release):
    """The compiled rules of a release (parsed and indexed once per warm release)."""

    def load():
        try:
            return compile_rules(release.json(CATALOGUE))
        except NotFound:
            raise ApiError(
                503,
                "Catalogue des aides indisponible",
                "Cette version des données n'a pas de catalogue des aides (étape « eligibility »).",
            )

    return release.memo("eligibility.rules", load)


def _zone_view(z) -> dict:
    if isinstance(z, dict):
        return {k: z.get(k) for k in ("code", "label", "source", "vintage", "reason")}
    return {"code": None, "label": None, "source": None, "vintage": None, "reason": "zonage inconnu"}


def location_facts(
    release, loc: Location | None, zone: ZoneOverride | None, profession: str
) -> tuple[dict, dict | None]:
    """The facts of the request's location (what-if override applied) and the QPV at the point, if any."""
    facts: dict = {}
    point_qpv = None
    if loc is not None:
        code, param = loc.commune, "location.commune"
        if code is None:
            from rezone.locate import lookup  # written by the query function; lazy import

            param = "location.lat"
            try:
                hit = lookup(release, loc.lon, loc.lat)
            except NotFound:
                raise ApiError(
                    503,
                    "Localisation indisponible",
                    "Cette version des données n'a pas l'index de "
                    "localisation : indiquez le code de la commune.",
                    "location",
                ) from None
            if hit is None:
                raise ApiError(
                    422,
                    "Aucune commune à cet endroit",
                    f"Le point (lat={loc.lat}, lon={loc.lon}) n'est dans aucune commune couverte.",
                    param,
                )
            code, qpv, _ = hit
            if qpv and not qpv.get("obsolete"):
                point_qpv = {
                    "code": qpv["code"],
                    "name": qpv.get("name"),
                    "zonage_medecin": (qpv.get("zonage_medecin") or {}).get("code"),
                }
        found = commune_facts(release, code)
        if found is None:
            raise ApiError(
                422,
                "Commune inconnue",
                f"La commune {code} n'existe pas dans cette version des données.",
                param,
            )
        facts = dict(found)
    if zone is not None:
        facts["zonage"] = dict(facts.get("zonage") or {})
        if zone.code is not None:
            if zone.code not in ZONE_CODES[profession]:
                raise ApiError(
                    422,
                    "Paramètre invalide",
                    f"{zone.code} n'est pas un code de zone de la profession {profession}.",
                    "zone.code",
                )
            facts["zonage"][profession] = {
                "code": zone.code,
                "label": ZONE_LABELS.get(zone.code),
                "source": "simulation",
                "vintage": None,
                "reason": None,
            }
            facts["qpv"] = []  # a simulated zone stands for the practice place itself
            point_qpv = None
        if zone.region is not None:
            facts["region"] = {"code": zone.region, "name": None}
        if zone.zone_rouge is not None:
            facts["zone_rouge"] = {"value": zone.zone_rouge, "source": "simulation"}
        if zone.zrr is not None:
            facts["zrr"] = {"code": "classee" if zone.zrr else "non_classee", "label": "simulation"}
    return facts, point_qpv


def _location_view(facts: dict, profession: str, simulated: bool) -> dict:
    z = (facts.get("zonage") or {}).get(profession)
    return {
        "commune": {"code": facts.get("code"), "name": facts.get("name")} if facts.get("code") else None,
        "epci": facts.get("epci"),
        "departement": facts.get("departement"),
        "region": facts.get("region"),
        "zonage": {profession: _zone_view(z)},
        "qpv": [
            {
                "code": q.get("code"),
                "name": q.get("name"),
                "zonage_medecin": (q.get("zonage_medecin") or {}).get("code"),
            }
            for q in facts.get("qpv") or ()
            if not q.get("obsolete")
        ],
        "zrr": facts.get("zrr"),
        "zone_rouge": facts.get("zone_rouge"),
        "simulated": simulated,
    }


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


@router.post(
    "/v1/eligibility",
    summary="Éligibilité aux aides à l'installation",
    tags=["eligibility"],
    responses=_doc(
        EligibilityAnswer,
        "Chaque aide avec statut, montant, raisons, hypothèses, sources",
        {
            413: "Corps de requête trop volumineux (problem+json)",
            422: "Requête invalide (problem+json nommant le champ)",
        },
    ),
)
def post_eligibility(request: Annotated[EligibilityRequest, Body(description="Profession, lieu, réponses")]):
    release = current()
    rules = _rules(release)
    facts, point_qpv = location_facts(release, request.location, request.zone, request.profession)
    as_of = request.as_of or datetime.now(UTC).date()
    answers = request.answers.model_dump(exclude_unset=True)
    if point_qpv:  # the point is inside a QPV polygon: the practice is in that QPV unless told otherwise
        answers.setdefault("in_qpv", True)
        if answers["in_qpv"]:
            answers.setdefault("qpv_code", point_qpv["code"])
    result = evaluate(rules, facts, answers, as_of, profession=request.profession)
    result["location"] = _location_view(facts, request.profession, request.zone is not None)
    result["location"]["qpv_at_point"] = point_qpv
    result["release"] = release.version
    return _ok(result)


@router.get(
    "/v1/aids",
    summary="Catalogue des aides (sources, fenêtres de validité, montants)",
    tags=["eligibility"],
    responses=_doc(Catalogue, "Toutes les règles, avec leurs sources"),
)
def aids(profession: Annotated[Profession | None, Query(description="Filtrer par profession")] = None):
    release = current()
    rs = _rules(release)
    items = [
        _catalogue_entry(r) for r in rs.documents if profession is None or profession in r["professions"]
    ]
    return _ok({"aids": items, "count": len(items), "release": release.version}, SHORT_CACHE)


@router.get(
    "/v1/eligibility/questions",
    summary="Questionnaire (JSON Schema) d'une profession",
    tags=["eligibility"],
    responses={200: {"description": "JSON Schema (draft 2020-12) des réponses, libellés en français"}},
)
def questions(profession: Annotated[Profession, Query(description="Profession")]):
    release = current()
    rs = _rules(release)
    schema = release.memo(("eligibility.questions", profession), lambda: questionnaire(rs, profession))
    return _ok(schema, SHORT_CACHE)


# ------------------------------------------------------------------------------------- request guard


def with_body_limit(handler, limit: int = MAX_BODY):
    """Wrap a Lambda handler: checks made before the resolver parses the body.

    A body over ``limit`` bytes gets a 413 problem; a POST whose Content-Type is not JSON gets a 415
    problem (the resolver would otherwise fail on it).
    """

    def guarded(event, context):
        body = event.get("body") or ""
        size = len(body)
        if size > limit // 4:  # only then can the byte size exceed the limit
            if event.get("isBase64Encoded"):
                size = len(body) * 3 // 4 - body[-2:].count("=")
            else:
                size = len(body.encode("utf-8", "surrogatepass"))
        if size > limit:
            return problem(
                413,
                "Corps de requête trop volumineux",
                f"Le corps de la requête dépasse {limit} octets.",
                "body",
            )
        method = ((event.get("requestContext") or {}).get("http") or {}).get("method", "")
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        ctype = (headers.get("content-type") or "").split(";")[0].strip().lower()
        if method == "POST" and ctype and ctype != "application/json" and not ctype.endswith("+json"):
            return problem(
                415,
                "Type de contenu non pris en charge",
                f"Le corps doit être du JSON (Content-Type: application/json), pas « {ctype} ».",
                "content-type",
            )
        return handler(event, context)

    return guarded
