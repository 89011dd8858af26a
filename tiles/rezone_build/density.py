"""The density layer of the styles: communes coloured by their APL quartile (DREES APL to general
practitioners, 2023), the only per-commune density the release has today.

The quartiles are those of ``/v1/territories`` (``rezone_build.query_build``: the same
``statistics.quantiles(n=4, method="inclusive")`` over every commune with an APL 2023 in the build),
so the map and the card agree. The tiles carry ``apl_q`` (1 = lowest quarter … 4 = highest) on the
``communes`` layer; communes without APL have no ``apl_q`` and stay uncoloured.
"""

from __future__ import annotations

import statistics

__all__ = ["COLOURS", "VINTAGE", "apl_quartiles", "density_layer", "legend"]

VINTAGE = "2023"
COLOURS = ("#d7301f", "#fc8d59", "#9ecae1", "#3182bd")  # lowest access (red) … highest (blue)


def apl_quartiles(ds) -> tuple[dict[str, int], list[float]]:
    """({commune code: quartile 1–4}, thresholds) of the APL 2023 of the dataset's communes."""
    values = {c.code: v.value for c in ds.communes.values()
              if (v := c.apl.get(VINTAGE)) is not None and v.value is not None}
    if len(values) < 2:
        return {}, []
    thresholds = [round(t, 4) for t in statistics.quantiles(sorted(values.values()), n=4, method="inclusive")]
    return {code: 1 + sum(v > t for t in thresholds) for code, v in values.items()}, thresholds


def density_layer(commune_minzoom: int) -> dict:
    """Fill layer over the ``communes`` of the ``zonage`` source, hidden until a client shows it."""
    return {"id": "density-fill", "type": "fill", "source": "zonage", "source-layer": "communes",
            "minzoom": commune_minzoom, "filter": ["has", "apl_q"], "layout": {"visibility": "none"},
            "paint": {"fill-color": ["match", ["get", "apl_q"], 1, COLOURS[0], 2, COLOURS[1], 3, COLOURS[2],
                                     COLOURS[3]], "fill-opacity": 0.75}}


def legend(thresholds: list[float], source: dict | None) -> dict:
    """``metadata.rezone:density`` of the styles: classes with their bounds, source and vintage."""
    bounds = [None, *thresholds, None]
    classes = [{"quartile": i + 1, "colour": COLOURS[i], "min": bounds[i], "max": bounds[i + 1]} for i in range(4)]
    return {"indicator": "apl_mg", "label": "Accessibilité potentielle localisée aux médecins généralistes (APL)",
            "unit": "consultations/an/habitant standardisé", "vintage": VINTAGE,
            "source": source, "classes": classes, "layer": "density-fill", "minzoom_note": "communes (zoom ≥ 8)"}
