// The map: MapLibre with the profession's style from /tiles/styles/<profession>.json, the client's
// layer toggles applied on top (visibility, facility type filter, optional raster), commune
// selection through feature-state, geolocation, cooperative gestures for phones.
import maplibregl from "maplibre-gl";
import { facilityKindLabel, facilityTypeLabel } from "./facility_types.js";

export { FACILITY_KINDS, FACILITY_TYPES, facilityKindLabel, facilityTypeLabel } from "./facility_types.js";

export const FRANCE_BOUNDS = [[-5.2, 41.3], [9.6, 51.15]];

const LOCALE = {
  "AttributionControl.ToggleAttribution": "Afficher ou masquer les sources",
  "AttributionControl.MapFeedback": "Signaler un problème de carte",
  "GeolocateControl.FindMyLocation": "Me localiser",
  "GeolocateControl.LocationNotAvailable": "Position indisponible",
  "Map.Title": "Carte",
  "NavigationControl.ResetBearing": "Faire pivoter la carte ; cliquer pour revenir au nord",
  "NavigationControl.ZoomIn": "Zoomer",
  "NavigationControl.ZoomOut": "Dézoomer",
  "Popup.Close": "Fermer",
  "ScaleControl.Kilometers": "km",
  "ScaleControl.Meters": "m",
  "CooperativeGesturesHandler.WindowsHelpText": "Utilisez Ctrl + molette pour zoomer la carte",
  "CooperativeGesturesHandler.MacHelpText": "Utilisez ⌘ + molette pour zoomer la carte",
  "CooperativeGesturesHandler.MobileHelpText": "Utilisez deux doigts pour déplacer la carte",
};

const QPV_LAYERS = ["qpv-fill", "qpv-line"];
const LIMIT_LAYERS = ["departements-line", "regions-line"];
const FACILITY_LAYER = "facilities-circle";
const DENSITY_LAYER = "density-fill";
const ZONAGE_FILLS = ["zones-fill", "communes-fill", "qpv-fill"];  // hidden while the density is shown
const HOSPITAL_SOURCE = "acces-hopital";
const HOSPITAL_LAYER = "acces-hopital-layer";
const HOSPITAL_PAINT = { "raster-opacity": 0.6, "raster-resampling": "nearest" };
const SELECTABLE = ["communes-fill", "density-fill"];
const HOVER_LAYER = "communes-hover";

export const styleUrl = (profession) => `/tiles/styles/${encodeURIComponent(profession)}.json`;

/**
 * Create the map. ``opts``: container, profession, view ({centre, zoom} or null for France),
 * layers ({qpv, limits, facilities, facilityType, hospital, density}), zoneLabel(code) for hover tips, and
 * callbacks onCommune(code),
 * onPoint(lngLat), onGeolocate(lngLat), onStyle(style), onError(message), onView({zoom, centre}).
 */
export function createMap(opts) {
  const layers = { ...opts.layers };
  const canHover = window.matchMedia("(hover: hover)").matches;
  let hospitalTileJson = null;
  let selected = null;
  let hovered = null;

  const map = new maplibregl.Map({
    container: opts.container,
    bounds: opts.view ? undefined : FRANCE_BOUNDS,
    center: opts.view ? opts.view.centre : undefined,
    zoom: opts.view ? opts.view.zoom : undefined,
    fitBoundsOptions: { padding: 8 },
    minZoom: 3,
    maxZoom: 16,
    cooperativeGestures: true,
    dragRotate: false,
    pitchWithRotate: false,
    attributionControl: false,
    locale: LOCALE,
    fadeDuration: 0, // place names appear at once: no fade-in frames
    // a zonage choropleth looks the same at 1.5 device pixels per CSS pixel; a phone's GPU (and the
    // software WebGL of a headless browser) draws 44 % fewer pixels than at 2, 75 % fewer than at 3
    pixelRatio: Math.min(window.devicePixelRatio || 1, 1.5),
  });
  // No MapLibre attribution control: the page's one-line French attribution (#map-attribution, in
  // index.html from the first paint) opens the full list of sources (sources.js).
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  const geolocate = new maplibregl.GeolocateControl({
    positionOptions: { enableHighAccuracy: false, timeout: 10000 },
    trackUserLocation: false,
    showAccuracyCircle: false,
    fitBoundsOptions: { maxZoom: 11 },
  });
  map.addControl(geolocate, "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "top-left");  // the bottom edge is the attribution's

  geolocate.on("geolocate", (pos) => opts.onGeolocate({ lng: pos.coords.longitude, lat: pos.coords.latitude }));
  geolocate.on("error", () => opts.onError("Votre position n'a pas pu être obtenue (autorisation refusée ou indisponible)."));
  geolocate.on("outofmaxbounds", () => opts.onError("Votre position est hors de la carte."));

  // Apply the client's toggles to a style document (on load and on each profession switch).
  let baseFacilityFilter = null;
  const vis = (on) => (on ? "visible" : "none");
  const facilityFilter = () => {
    const typeFilter = layers.facilityType ? ["==", ["get", "kind"], layers.facilityType] : null;
    if (!typeFilter) return baseFacilityFilter;
    return baseFacilityFilter ? ["all", baseFacilityFilter, typeFilter] : typeFilter;
  };
  const visibility = () => {
    const want = { [FACILITY_LAYER]: vis(layers.facilities), [HOSPITAL_LAYER]: vis(layers.hospital) };
    for (const id of QPV_LAYERS) want[id] = vis(layers.qpv);
    for (const id of LIMIT_LAYERS) want[id] = vis(layers.limits);
    want[DENSITY_LAYER] = vis(layers.density);
    for (const id of ZONAGE_FILLS) want[id] = vis(!layers.density && (id !== "qpv-fill" || layers.qpv));
    return want;
  };
  function decorate(style) {
    opts.onStyle(style);
    const want = visibility();
    // Less drawing per frame (software WebGL made each frame's commit the page's longest tasks):
    // the background is the map container's CSS colour instead of a full-screen pass; fills skip
    // their antialiasing outline pass (the line layers draw the edges); the hover outline layer
    // exists only where there is a pointer that hovers.
    const bg = style.layers.find((l) => l.type === "background");
    if (bg && bg.paint && typeof bg.paint["background-color"] === "string") {
      map.getContainer().style.backgroundColor = bg.paint["background-color"];
    }
    let out = style.layers.filter((l) => l.type !== "background").map((l) => {
      let layer = l;
      if (l.type === "fill") layer = { ...layer, paint: { ...(layer.paint || {}), "fill-antialias": false } };
      if (l.id === HOVER_LAYER && !canHover) layer = { ...layer, layout: { ...(layer.layout || {}), visibility: "none" } };
      if (want[l.id]) layer = { ...layer, layout: { ...(layer.layout || {}), visibility: want[l.id] } };
      if (l.id === FACILITY_LAYER) {
        baseFacilityFilter = l.filter || null;
        layer = { ...layer };
        const filter = facilityFilter();
        if (filter) layer.filter = filter;
        else delete layer.filter;
      }
      return layer;
    });
    const sources = { ...style.sources };
    if (hospitalTileJson) {
      sources[HOSPITAL_SOURCE] = { type: "raster", url: hospitalTileJson, tileSize: 256 };
      const raster = {
        id: HOSPITAL_LAYER, type: "raster", source: HOSPITAL_SOURCE,
        layout: { visibility: want[HOSPITAL_LAYER] }, paint: HOSPITAL_PAINT,
      };
      const at = out.findIndex((l) => l.id === "communes-line");
      out = at >= 0 ? [...out.slice(0, at), raster, ...out.slice(at)] : [...out, raster];
    }
    return { ...style, sources, layers: out };
  }
  // Apply the toggles to the live map without reloading the style.
  function applyLayers() {
    if (hospitalTileJson && layers.hospital && !map.getSource(HOSPITAL_SOURCE)) {
      map.addSource(HOSPITAL_SOURCE, { type: "raster", url: hospitalTileJson, tileSize: 256 });
      map.addLayer({ id: HOSPITAL_LAYER, type: "raster", source: HOSPITAL_SOURCE, paint: { "raster-opacity": 0.65 } },
        map.getLayer("communes-line") ? "communes-line" : undefined);
    }
    for (const [id, v] of Object.entries(visibility())) {
      if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", v);
    }
    if (map.getLayer(FACILITY_LAYER)) map.setFilter(FACILITY_LAYER, facilityFilter());
  }

  let ready = false;
  let currentProfession = opts.profession;
  const loadStyle = (profession, diff) =>
    map.setStyle(styleUrl(profession), { diff, transformStyle: (_p, next) => decorate(next) });
  loadStyle(opts.profession, false);

  map.on("style.load", () => {
    ready = true;
    applySelection();
  });
  map.on("error", (e) => {
    const status = e && e.error && e.error.status;
    if (e && e.sourceId && status === 204) return;
    const msg = status === 404
      ? "Une partie de la carte est introuvable sur le serveur."
      : "La carte n'a pas pu être chargée : le service de tuiles est injoignable ou en erreur.";
    opts.onError(msg, e);
  });

  const emitView = () => {
    const c = map.getCenter();
    opts.onView({ zoom: map.getZoom(), centre: [c.lng, c.lat] });
  };
  map.on("moveend", emitView);
  map.once("load", emitView);

  map.on("click", (e) => {
    const fac = map.getLayer(FACILITY_LAYER) && layers.facilities
      ? map.queryRenderedFeatures(e.point, { layers: [FACILITY_LAYER] }) : [];
    if (fac.length) return showFacility(fac[0], e.lngLat);
    const hit = map.queryRenderedFeatures(e.point, { layers: SELECTABLE.filter((id) => map.getLayer(id)) });
    const code = hit.length && hit[0].properties && hit[0].properties.code;
    if (code) opts.onCommune(String(code), e.lngLat);
    else opts.onPoint(e.lngLat);
    showCpts(e);
  });
  // CPTS territories (boundaries tileset, PACA list only): their name in a small popup.
  function showCpts(e) {
    const cpts = map.getLayer("cpts-fill") ? map.queryRenderedFeatures(e.point, { layers: ["cpts-fill"] }) : [];
    if (!cpts.length) return;
    const el = document.createElement("div");
    const name = document.createElement("strong");
    name.textContent = cpts.map((f) => f.properties.nom).join(" / ");
    const info = document.createElement("p");
    info.textContent = "Communauté professionnelle territoriale de santé (liste ARS PACA)";
    el.append(name, info);
    if (popup) popup.remove();
    popup = new maplibregl.Popup({ closeButton: true, maxWidth: "260px" }).setLngLat(e.lngLat).setDOMContent(el).addTo(map);
  }
  // Desktop: outline and name of the commune under the pointer, with its zone for the profession.
  const tip = new maplibregl.Popup({ closeButton: false, closeOnClick: false, className: "hover-tip", offset: 12 });
  map.on("mousemove", (e) => {
    const ids = SELECTABLE.filter((id) => map.getLayer(id));
    const hit = ids.length ? map.queryRenderedFeatures(e.point, { layers: ids }) : [];
    const props = hit.length ? hit[0].properties : null;
    const code = props ? props.code : null;
    if (props) tip.setLngLat(e.lngLat);
    if (code === hovered) return;
    setState(hovered, { hover: false });
    hovered = code;
    setState(hovered, { hover: true });
    map.getCanvas().style.cursor = code ? "pointer" : "";
    if (!props || !canHover) {
      tip.remove();
      return;
    }
    const zone = opts.zoneLabel(props[currentProfession]);
    tip.setText(`${props.nom || code} — ${zone}`).addTo(map);
  });
  map.on("mouseout", () => tip.remove());

  // The selected commune's name, as a label on the map (the styles have no text layers).
  const nameEl = document.createElement("div");
  nameEl.className = "commune-label";
  const nameMarker = new maplibregl.Marker({ element: nameEl, anchor: "bottom" });

  let popup = null;
  function showFacility(f, lngLat) {
    const p = f.properties || {};
    const el = document.createElement("div");
    const name = document.createElement("strong");
    name.textContent = p.nom || "Établissement";
    const info = document.createElement("p");
    info.textContent = [p.kind ? facilityKindLabel(p.kind) : null, facilityTypeLabel(p.type), p.finess ? `FINESS ${p.finess}` : null,
      p.precision === "commune" ? "position approximative (centre de la commune)" : null].filter(Boolean).join(" · ");
    el.append(name, info);
    if (popup) popup.remove();
    popup = new maplibregl.Popup({ closeButton: true, maxWidth: "260px" }).setLngLat(lngLat).setDOMContent(el).addTo(map);
  }

  function setState(code, state) {
    if (!code || !map.getSource("zonage")) return;
    map.setFeatureState({ source: "zonage", sourceLayer: "communes", id: String(code) }, state);
  }
  function applySelection() {
    if (selected) setState(selected, { selected: true });
    // the selected commune's name is the marker below: keep the map's own label of it out of the way
    if (map.getLayer("places-communes")) map.setFilter("places-communes", selected ? ["!=", ["get", "code"], selected] : null);
  }

  return {
    map,
    geolocate: () => geolocate.trigger(),
    setProfession(profession) {
      currentProfession = profession;
      tip.remove();
      loadStyle(profession, ready);
    },
    setLayers(next) {
      Object.assign(layers, next);
      if (ready) applyLayers();
    },
    enableHospital(tileJsonUrl) {
      hospitalTileJson = tileJsonUrl;
    },
    select(code, label = null) {
      setState(selected, { selected: false });
      selected = code;
      applySelection();
      if (label && label.lngLat) {
        nameEl.textContent = label.name;
        nameMarker.setLngLat(label.lngLat).addTo(map);
      } else nameMarker.remove();
    },
    flyTo(centre, zoom) {
      map.flyTo({ center: centre, zoom: Math.max(zoom ?? 11, 8), speed: 2.2, essential: true });
    },
    fitFrance() {
      map.fitBounds(FRANCE_BOUNDS, { padding: 8 });
    },
    /** A PNG of the current map, for the printed sheet (read right after a render). */
    snapshot() {
      return new Promise((resolve) => {
        map.once("render", () => {
          try {
            resolve(map.getCanvas().toDataURL("image/png"));
          } catch {
            resolve(null);
          }
        });
        map.triggerRepaint();
      });
    },
  };
}
