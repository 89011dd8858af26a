"""MapLibre styles (spec v8), one per profession, and the zone colours (docs/tiles.md, "Colours").

Sources point at the tilesets' TileJSON by absolute path (``/tiles/<tileset>.json``) and the
``glyphs`` template at ``/tiles/fonts/{fontstack}/{range}.pbf``; the tiles function rewrites them
with the request's scheme, host and release. Place names (``places`` tileset) are the only text
layers, drawn on top; without a label font (``fontstack`` None) the style has neither.
"""

from __future__ import annotations

from rezone.constants import PROFESSION_LABELS, PROFESSIONS, ZONE_CODES, ZONE_LABELS

from .density import density_layer

__all__ = ["COLOURS", "UNKNOWN_COLOUR", "low_tileset", "style"]

COLOURS: dict[str, str] = {
    # doctors
    "ZIP": "#f28c28",
    "ZAC": "#3a7dce",
    "ZAR": "#8e5bc9",
    "ZV": "#4caf50",
    "HV": "#d9d9d9",
    "HZ": "#ffffff",
    # other professions, from most under-served to most over-served
    "tres_sous_dote": "#b2182b",
    "sous_dote": "#ef8a62",
    "sous_dense": "#f4a582",
    "intermediaire": "#f7f7f7",
    "tres_dote": "#92c5de",
    "sur_dote": "#2166ac",
    "non_prioritaire": "#e0e0e0",
}
UNKNOWN_COLOUR = "#9e9e9e"
FILL_OPACITY = 0.7
UNKNOWN_OPACITY = 0.5


def low_tileset(profession: str) -> str:
    """Name of the low-zoom tileset of one profession."""
    return f"zonage-{profession}"


def _colour(prop: str, profession: str) -> list:
    expr: list = ["match", ["get", prop]]
    for code in ZONE_CODES[profession]:
        expr += [code, COLOURS[code]]
    return expr + [UNKNOWN_COLOUR]


def _opacity(prop: str) -> list:
    return ["case", ["has", prop], FILL_OPACITY, FILL_OPACITY * UNKNOWN_OPACITY]


def _state_line(state: str, colour: str, width: float) -> dict:
    return {
        "line-color": colour,
        "line-width": width,
        "line-opacity": ["case", ["boolean", ["feature-state", state], False], 1, 0],
    }


HALO = {"text-halo-color": "#ffffff", "text-halo-width": 1.5, "text-halo-blur": 0.5}


def _label_layers(fontstack: str) -> list[dict]:
    """Département names (z5–8) and commune names ranked by ``rank`` (collisions keep the lower rank)."""
    rank = ["get", "rank"]
    return [
        {"id": "places-departements", "type": "symbol", "source": "places", "source-layer": "departements",
         "minzoom": 5, "maxzoom": 9,
         "layout": {"text-field": ["get", "nom"], "text-font": [fontstack], "text-size": 12,
                    "text-transform": "uppercase", "text-letter-spacing": 0.08, "text-max-width": 8,
                    "symbol-sort-key": 0},
         "paint": {"text-color": "#5a4a6e", **HALO}},
        {"id": "places-communes", "type": "symbol", "source": "places", "source-layer": "communes",
         "layout": {"text-field": ["get", "nom"], "text-font": [fontstack],
                    "text-size": ["match", rank, 1, 15, 2, 14, 3, 13, 4, 12.5, 12],
                    "text-max-width": 8, "text-padding": 3, "symbol-sort-key": rank},
         "paint": {"text-color": ["case", ["<=", rank, 2], "#111111", "#2b2b2b"], **HALO}},
    ]


def style(profession: str, low_minzoom: int = 4, commune_minzoom: int = 8, facilities: bool = True,
          fontstack: str | None = None, density: dict | None = None) -> dict:
    """The MapLibre style of one profession's zonage (without the facilities layer if none were built,
    without place names if no label font was built); ``density`` (``rezone_build.density.legend``)
    adds the hidden ``density-fill`` layer and its legend in ``metadata.rezone:density``."""
    if profession not in PROFESSIONS:
        raise ValueError(profession)
    p = profession
    layers = [
        {"id": "background", "type": "background", "paint": {"background-color": "#f2efe9"}},
        {"id": "zones-fill", "type": "fill", "source": "zonage_low", "source-layer": "zones",
         "minzoom": low_minzoom, "maxzoom": commune_minzoom,
         "paint": {"fill-color": _colour("zone", p), "fill-opacity": _opacity("zone")}},
        {"id": "communes-fill", "type": "fill", "source": "zonage", "source-layer": "communes",
         "minzoom": commune_minzoom,
         "paint": {"fill-color": _colour(p, p), "fill-opacity": _opacity(p)}},
    ]
    if density:
        layers.append(density_layer(commune_minzoom))
    layers += [
        {"id": "communes-line", "type": "line", "source": "zonage", "source-layer": "communes",
         "minzoom": commune_minzoom + 1,
         "paint": {"line-color": "#888888", "line-width": 0.5}},
    ]
    if p == "medecin":
        layers.append({"id": "qpv-fill", "type": "fill", "source": "zonage", "source-layer": "qpv",
                       "minzoom": commune_minzoom,
                       "paint": {"fill-color": _colour("medecin", p), "fill-opacity": _opacity("medecin")}})
    layers += [
        {"id": "qpv-line", "type": "line", "source": "zonage", "source-layer": "qpv",
         "minzoom": commune_minzoom,
         "paint": {"line-color": "#444444", "line-width": 1, "line-dasharray": [2, 2]}},
        {"id": "departements-line", "type": "line", "source": "boundaries", "source-layer": "departements",
         "paint": {"line-color": "#555555", "line-width": 1}},
        {"id": "regions-line", "type": "line", "source": "boundaries", "source-layer": "regions",
         "paint": {"line-color": "#333333", "line-width": 1.5}},
        # CPTS territories (PACA list): transparent fill to pick them, dashed outline
        {"id": "cpts-fill", "type": "fill", "source": "boundaries", "source-layer": "cpts", "minzoom": 7,
         "paint": {"fill-color": "#1b7f5b", "fill-opacity": 0.01}},
        {"id": "cpts-line", "type": "line", "source": "boundaries", "source-layer": "cpts", "minzoom": 7,
         "paint": {"line-color": "#1b7f5b", "line-width": 1.5, "line-dasharray": [3, 1.5]}},
        {"id": "communes-hover", "type": "line", "source": "zonage", "source-layer": "communes",
         "minzoom": commune_minzoom, "paint": _state_line("hover", "#333333", 2)},
        {"id": "communes-selected", "type": "line", "source": "zonage", "source-layer": "communes",
         "minzoom": commune_minzoom, "paint": _state_line("selected", "#000000", 3)},
    ]
    if facilities:
        layers.append({
            "id": "facilities-circle", "type": "circle", "source": "facilities", "source-layer": "facilities",
            "minzoom": 9,
            "paint": {
                "circle-color": ["case", ["==", ["get", "public"], True], "#d7263d", "#6c757d"],
                "circle-radius": ["interpolate", ["linear"], ["zoom"], 9, 2.5, 14, 6],
                "circle-stroke-color": "#ffffff",
                "circle-stroke-width": 1,
            },
        })
    if fontstack:
        layers += _label_layers(fontstack)
    legend = [{"code": c, "label": ZONE_LABELS[c], "colour": COLOURS[c]} for c in ZONE_CODES[p]]
    legend.append({"code": None, "label": "Zonage inconnu", "colour": UNKNOWN_COLOUR})
    sources = {
        "zonage_low": {"type": "vector", "url": f"/tiles/{low_tileset(p)}.json"},
        "zonage": {"type": "vector", "url": "/tiles/zonage.json", "promoteId": {"communes": "code", "qpv": "code"}},
        "boundaries": {"type": "vector", "url": "/tiles/boundaries.json"},
    }
    if facilities:
        sources["facilities"] = {"type": "vector", "url": "/tiles/facilities.json", "promoteId": {"facilities": "id"}}
    if fontstack:
        sources["places"] = {"type": "vector", "url": "/tiles/places.json"}
    doc = {
        "version": 8,
        "name": f"Rézone — {PROFESSION_LABELS[p]}",
        "metadata": {"rezone:profession": p, "rezone:legend": legend, **({"rezone:density": density} if density else {})},
        "center": [2.35, 46.6],
        "zoom": 5,
        "sources": sources,
        "layers": layers,
    }
    if fontstack:
        doc["glyphs"] = "/tiles/fonts/{fontstack}/{range}.pbf"
    return doc
