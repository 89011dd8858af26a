"""The normalized dataset: one typed model of France keyed by COG 2026 commune codes.

Produced by :mod:`rezone_build.ingest`, consumed by every build step (tiles, query JSON,
eligibility facts, raster). Geometries are shapely objects in WGS84 (EPSG:4326), lon/lat order.
Every value carries its source id and vintage; a missing value is ``None`` plus a ``reason``.


"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shapely.geometry.base import BaseGeometry

__all__ = [
    "BassinDeVie",
    "Commune",
    "Cpts",
    "Dataset",
    "Departement",
    "Epci",
    "Facility",
    "Qpv",
    "Region",
    "SourceInfo",
    "Value",
    "ZoneValue",
]


@dataclass(slots=True)
class Value:
    """A sourced figure. ``value is None`` ⇒ ``reason`` says why."""

    value: Any
    unit: str | None
    source: str
    vintage: str
    reason: str | None = None


@dataclass(slots=True)
class ZoneValue:
    """One profession's zonage of one place.

    ``code`` is the public vocabulary (rezone.constants.ZONE_CODES) or None (then ``reason``);
    ``label`` is the source's own label, verbatim (e.g. "1_ZIP", "4_Tres_dotee").
    """

    code: str | None
    label: str | None
    source: str
    vintage: str
    reason: str | None = None


@dataclass(slots=True)
class Commune:
    code: str  # COG 2026 INSEE code
    name: str
    departement: str
    region: str
    epci: str | None  # SIREN
    population: int | None
    postal_codes: list[str]
    center: tuple[float, float] | None  # (lon, lat) reference point
    center_source: str | None
    geometry: BaseGeometry | None  # (Multi)Polygon, WGS84, valid
    geometry_source: str | None  # e.g. "france-geojson:union(01015,01340)"
    zonage: dict[str, ZoneValue]  # one entry per profession in rezone.constants.PROFESSIONS
    zrr: ZoneValue | None = None  # ZRR class (doctors' file), code = normalized slug, label verbatim
    apl: dict[str, Value] = field(default_factory=dict)  # {"2022": Value, "2023": Value}
    former_codes: list[str] = field(default_factory=list)  # anciensCodes (COG history)
    extra: dict[str, Any] = field(default_factory=dict)
    # INSEE bassin de vie 2022: Value(code) or Value(None, reason=...); how it was chosen in
    # extra["bassin_de_vie_method"] (and extra["bassin_de_vie_parts"] when the parts disagreed)
    bassin_de_vie: Value | None = None
    # INSEE BPE 2020 health equipment counts {"D107": 1, ...}; None ⇒ extra["bpe_reason"]
    bpe: dict[str, int] | None = None
    # CPTS ids covering the commune; None = no CPTS list loaded for its région (unknown, not "none")
    cpts: list[str] | None = None


@dataclass(slots=True)
class Departement:
    code: str
    name: str
    region: str
    geometry: BaseGeometry | None
    population: int | None = None
    chef_lieu: str | None = None  # INSEE code of the préfecture (COG chefLieu)


@dataclass(slots=True)
class Region:
    code: str
    name: str
    geometry: BaseGeometry | None
    population: int | None = None
    chef_lieu: str | None = None  # INSEE code of the préfecture de région (COG chefLieu)


@dataclass(slots=True)
class BassinDeVie:
    """INSEE bassin de vie 2022 (code = INSEE code of its pole commune, COG 2024)."""

    code: str
    name: str
    members: list[str]  # COG 2026 commune codes attached to it
    population: int | None = None  # sum of the members' populations (decoupage-administratif)


@dataclass(slots=True)
class Cpts:
    """Communauté professionnelle territoriale de santé (one region's published list)."""

    id: str
    name: str
    communes: list[str]  # COG 2026 codes (whole or partly covered)
    partial_communes: list[str]  # communes only partly covered (Marseille arrondissements, "infra")
    geometry: BaseGeometry | None
    region: str
    site: str | None
    source: str
    vintage: str


@dataclass(slots=True)
class Epci:
    code: str  # SIREN
    name: str
    type: str  # CC, CA, CU, METRO, MET69
    members: list[str]  # commune codes (COG 2026)
    population: int | None = None
    zone_rouge: Value | None = None  # "Un médecin près de chez vous": True / None (unknown) with source


@dataclass(slots=True)
class Qpv:
    code: str
    name: str
    communes: list[str]
    geometry: BaseGeometry | None
    generation: str  # "2024" or "2015"
    obsolete: bool
    zonage_medecin: ZoneValue | None  # QPV's own doctors' zonage (PACA 2024), else None
    source: str
    vintage: str


@dataclass(slots=True)
class Facility:
    id: str  # stable id (FINESS number, 9 chars with leading zeros)
    finess: str | None
    name: str
    type: str  # normalized slug: hopital_public, clinique_privee, centre_de_sante, msp, pharmacie, ...
    category: str | None  # source category label
    commune: str | None  # COG 2026 code
    lon: float | None
    lat: float | None
    precision: str  # "exact" (geocoded address) or "commune" (commune reference point) or "unknown"
    public: bool | None
    source: str
    vintage: str
    extra: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None  # structure type from the FINESS category (finess_categories.csv)


@dataclass
class SourceInfo:
    id: str
    title: str
    license: str
    vintage: str
    upstream: str | None = None


@dataclass
class Dataset:
    communes: dict[str, Commune]
    departements: dict[str, Departement]
    regions: dict[str, Region]
    epcis: dict[str, Epci]
    qpvs: dict[str, Qpv]
    facilities: list[Facility]
    sources: dict[str, SourceInfo]
    # Indicator tables keyed by level then code then indicator id (e.g. "departement" → "80" → {...}).
    indicators: dict[str, dict[str, dict[str, Value]]] = field(default_factory=dict)
    # Optional sources not in the mirror (TVS table and zonage, national FINESS, QPV 2024 list...).
    optional: dict[str, Any] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)  # the data-quality report
    bassins_de_vie: dict[str, BassinDeVie] = field(default_factory=dict)
    cpts: dict[str, Cpts] = field(default_factory=dict)
    scope: list[str] | None = None  # None = all of France; else the départements built
