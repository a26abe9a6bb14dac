// Vector layers shared by the command map and the dispatcher console: stations,
// grids fetched for the view when zoomed in, and the 1-3-5 quick-response circles.
// Coordinates arrive in WGS-84; each page passes its own projection into the
// drawing CRS (shifted to GCJ-02 under GCJ-02 tiles) and back.

import { api, ApiError } from "./api.js";
import { getLang, t } from "./i18n.js";
import { el, textOf } from "./dom.js";

const L = window.L;
const STATION_RADIUS = { 1: 7, 2: 5.5, 3: 4 };
const STATION_FILL = { 1: "#ffb547", 2: "#4ea1f3", 3: "#a9bccf" };
const GRID_DEBOUNCE_MS = 250;

export const nameOf = (place) => (place ? (getLang() === "en" ? place.name_en : place.name_zh) : "");


export function gradeLabel(grade) {
  if (getLang() === "en") return String(grade);
  return ["", "一", "二", "三"][grade] || String(grade);
}

function stationPopup(p) {
  const room = (has) => (has ? t("yes") : t("no"));
  return el("div", { class: "yy-popup" },
    el("div", { class: "yy-popup-title" }, nameOf(p)),
    el("div", { class: "yy-popup-sub" }, getLang() === "en" ? p.name_zh : p.name_en),
    el("dl", {},
      el("dt", {}, t("code")), el("dd", { class: "mono" }, p.code),
      el("dt", {}, t("grade")),
      el("dd", {}, t("station_grade", { g: gradeLabel(p.grade) })),
      el("dt", {}, t("station_command_room")), el("dd", {}, room(p.has_command_room)),
      el("dt", {}, t("station_mediation_room")), el("dd", {}, room(p.has_mediation_room)),
    ));
}

/** The stations as circle markers sized and coloured by grade, with a popup each. */
export function stationLayer(collection, { coordsToLatLng, pane }) {
  return L.geoJSON(collection, {
    coordsToLatLng,
    pointToLayer: (f, latlng) => L.circleMarker(latlng, {
      pane,
      className: `yy-station yy-station-g${f.properties.grade}`,
      radius: STATION_RADIUS[f.properties.grade] || 4,
      weight: 1.5,
      color: "#0b1320",
      opacity: 1,
      fillOpacity: 1,
      fillColor: STATION_FILL[f.properties.grade] || STATION_FILL[3],
      bubblingMouseEvents: false,
    }),
    onEachFeature: (f, layer) => {
      layer.on("add", () => layer.getElement()?.setAttribute("data-code", f.properties.code));
      layer.bindPopup(() => stationPopup(f.properties), { maxWidth: 280 });
      layer.bindTooltip(() => textOf(nameOf(f.properties)), {
        direction: "top", offset: [0, -6], className: "yy-tip",
      });
    },
  });
}

/**
 * The quick-response circles (1-3-5): each a ring of its radius around its
 * platform, labelled with its arrival target.
 */
export function circleLayer(circles, { displayLatLng, pane }) {
  const group = L.layerGroup();
  for (const c of circles) {
    const ring = L.circle(displayLatLng(c.lng, c.lat), {
      pane,
      radius: c.radius_m,
      className: `yy-circle yy-circle-${c.target_min}`,
      color: { 1: "#ec6a5e", 3: "#e3a63b", 5: "#4ea1f3" }[c.target_min] || "#8fa1b5",
      weight: 1,
      opacity: 0.7,
      dashArray: "4 4",
      fillOpacity: 0.04,
      interactive: true,
      bubblingMouseEvents: true,
    });
    ring.on("add", () => ring.getElement()?.setAttribute("data-circle", c.id));
    ring.bindTooltip(() => textOf(t("circle_tip", {
      name: getLang() === "en" ? c.name_en : c.name_zh, m: c.target_min,
      km: (c.radius_m / 1000).toFixed(1),
    })), { sticky: true, className: "yy-tip" });
    group.addLayer(ring);
  }
  return group;
}

/**
 * The grids inside the current view, fetched when zoomed in far enough and kept
 * in step with panning; the page decides styles and shows the status.
 */
export class GridLoader {
  /**
   * @param {object} o
   * @param {L.Map} o.map
   * @param {string} o.pane
   * @param {string} o.token
   * @param {(c: number[]) => L.LatLng} o.coordsToLatLng
   * @param {(latlng: L.LatLng) => number[]} o.wgsOf drawn point back to WGS-84 [lng, lat]
   * @param {number} o.minZoom
   * @param {number} o.cap most grids drawn at once
   * @param {(code: string) => object} o.style
   * @param {(feature: object, layer: L.Layer) => void} [o.onFeature]
   * @param {(status: object) => void} [o.onStatus]
   */
  constructor(o) {
    Object.assign(this, { onFeature: () => {}, onStatus: () => {} }, o);
    this.enabled = true;
    this.layers = new Map();
    this.abort = null;
    this.timer = null;
    this.group = L.geoJSON(null, {
      pane: o.pane,
      coordsToLatLng: o.coordsToLatLng,
      style: (f) => this.style(f.properties.code),
      onEachFeature: (f, layer) => {
        this.layers.set(f.properties.code, layer);
        this.onFeature(f, layer);
      },
    }).addTo(o.map);
    o.map.on("moveend", () => this.schedule());
  }

  clear() {
    this.group.clearLayers();
    this.layers.clear();
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.load(), GRID_DEBOUNCE_MS);
  }

  /** The view box in WGS-84, padded a little so panning shows grids at once. */
  bbox() {
    const b = this.map.getBounds().pad(0.1);
    const corners = [b.getSouthWest(), b.getNorthWest(), b.getNorthEast(), b.getSouthEast()]
      .map(this.wgsOf);
    const lngs = corners.map((c) => c[0]);
    const lats = corners.map((c) => c[1]);
    return [Math.min(...lngs), Math.min(...lats), Math.max(...lngs), Math.max(...lats)]
      .map((v) => v.toFixed(5)).join(",");
  }

  async load() {
    this.abort?.abort();
    this.abort = null;
    if (!this.enabled) {
      this.clear();
      this.onStatus({ key: "grids_hidden" });
      return;
    }
    if (this.map.getZoom() < this.minZoom) {
      this.clear();
      this.onStatus({ key: "grids_zoom_in" });
      return;
    }
    const controller = new AbortController();
    this.abort = controller;
    this.onStatus({ key: "grids_loading" });
    let collection;
    try {
      collection = await api(`/api/v1/geo/grids?bbox=${this.bbox()}&limit=${this.cap}`, {
        token: this.token, signal: controller.signal,
      });
    } catch (err) {
      if (err.name === "AbortError") return;
      this.onStatus({ key: "grids_error", error: err instanceof ApiError ? err : new ApiError({ status: 0 }) });
      return;
    }
    if (controller.signal.aborted) return;
    const wanted = new Set(collection.features.map((f) => f.properties.code));
    for (const [code, layer] of this.layers) {
      if (!wanted.has(code)) {
        this.group.removeLayer(layer);
        this.layers.delete(code);
      }
    }
    const fresh = collection.features.filter((f) => !this.layers.has(f.properties.code));
    if (fresh.length) this.group.addData({ type: "FeatureCollection", features: fresh });
    const n = collection.features.length;
    this.onStatus({ key: n >= this.cap ? "grids_capped" : "grids_shown", n });
  }
}
