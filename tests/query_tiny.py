"""A tiny hand-made Dataset (three square communes, one QPV, two facilities) for the query unit tests."""

from __future__ import annotations

from rezone.constants import PROFESSIONS
from rezone_build.model import (
    Commune,
    Dataset,
    Departement,
    Epci,
    Facility,
    Qpv,
    Region,
    SourceInfo,
    Value,
    ZoneValue,
)
from shapely.geometry import box

__all__ = ["tiny_dataset"]


def _zone(code, label):
    return ZoneValue(code, label, "zonage-medecins", "2025")


def tiny_dataset() -> Dataset:
    z = {p: ZoneValue(None, None, "zonage-autres-professions", "2025", "absent") for p in PROFESSIONS}

    def commune(code, name, geom, pop, zmed, apl22, apl23, postal):
        return Commune(code=code, name=name, departement="80", region="32", epci="200000001", population=pop,
                       postal_codes=postal, center=(geom.centroid.x, geom.centroid.y), center_source="test",
                       geometry=geom, geometry_source="test", zonage=dict(z, medecin=_zone(*zmed)),
                       apl={"2022": Value(apl22, "consultations/an/habitant", "apl", "2022"),
                            "2023": Value(apl23, "consultations/an/habitant", "apl", "2023")})

    # Three unit-ish squares side by side, straddling the 0.25° grid line at lon 2.25.
    communes = [
        commune("80001", "Saint-Étienne-sur-Somme", box(2.0, 49.0, 2.2, 49.2), 1000, ("ZIP", "1_ZIP"), 2.0, 2.5,
                ["80100"]),
        commune("80002", "Sainte-Marie", box(2.2, 49.0, 2.4, 49.2), 3000, ("ZAC", "2_ZAC"), 3.0, 2.8, ["80100"]),
        commune("80003", "L'Étoile", box(2.4, 49.0, 2.6, 49.2), 500, ("HZ", "3_HZ"), 4.0, 4.0, ["80200"]),
    ]
    for c in communes[:2]:  # an optional DREES TVS table, as rezone_build.loaders_optional stores it
        c.extra["tvs"] = "80T01"
        c.extra["zonage_tvs"] = ZoneValue("ZIP", "Zone d'intervention prioritaire", "drees-tvs", "")
    qpv = Qpv("QN08001M", "Quartier Test", ["80002"], box(2.3, 49.05, 2.35, 49.1), "2024", False,
              _zone("ZIP", "ZIP"), "qpv", "2024")
    fac = [
        Facility("800000001", "800000001", "CH Test", "hopital_public", "355", "80002", 2.3, 49.1, "exact", True,
                 "etablissements-sae", "2023"),
        Facility("800000002", "800000002", "Clinique Test", "clinique_privee", "365", "80003", 2.5, 49.1,
                 "commune", False, "etablissements-sae", "2023"),
        Facility("800000003", "800000003", "Sans coordonnées", "clinique_privee", "365", "80003", None, None,
                 "unknown", False, "etablissements-sae", "2023"),
    ]
    return Dataset(
        communes={c.code: c for c in communes},
        departements={"80": Departement("80", "Somme", "32", None, 4500)},
        regions={"32": Region("32", "Hauts-de-France", None, 4500)},
        epcis={"200000001": Epci("200000001", "CC Test", "CC", [c.code for c in communes], 4500)},
        qpvs={qpv.code: qpv},
        facilities=fac,
        sources={"decoupage-administratif": SourceInfo("decoupage-administratif", "COG", "LO", "COG 2026")},
        indicators={"departement": {"80": {"medecins_generalistes": Value(373, "nombre", "insee-statlocales",
                                                                          "2024")}}},
        optional={"tvs": {"status": "loaded", "communes_with_tvs": 2, "tvs": 1}},
        scope=["80"],
    )


def publish_tiny(root, access_shares: dict | None = None) -> str:
    """Build the ``facts`` and ``query`` steps of :func:`tiny_dataset` and publish them to ``root/store``.

    ``access_shares``: content of ``raster/access-shares.json`` (the raster step's output) to add.
    """
    import json
    from pathlib import Path
    from types import SimpleNamespace

    from rezone.storage import LocalStore
    from rezone_build import facts, query_build
    from rezone_build.publish import publish
    from rezone_build.raster_shares import write_access_shares

    out = Path(root) / "release"
    out.mkdir(parents=True, exist_ok=True)
    ds = tiny_dataset()
    ctx = SimpleNamespace(say=lambda msg: None)
    facts.build(ds, out, ctx)
    query_build.build(ds, out, ctx)
    if access_shares is not None:
        write_access_shares(out, access_shares)
    (out / "release.json").write_text(json.dumps({"version": "tiny-1"}))
    return publish(out, LocalStore(Path(root) / "store"), "tiny-1")
