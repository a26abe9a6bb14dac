// Tidal deployment (潮汐警力): for a day and an hour, where the quick-response units
// stand now, where the plan would stand them (a line from each unit to its stand
// point), the expected incidents by grid, and the share reachable within target
// now and with the plan. Reads GET /api/v1/duty/tidal (the JSON twin); a duty
// manager adopts the day's plan with POST /api/v1/duty/tidal/adopt.

import { api, goToLogin, loadSession } from "../lib/api.js";
import { el, textOf } from "../lib/dom.js";
import { gcj02ToWgs84, wgs84ToGcj02 } from "../lib/gcj02.js";
import { applyI18n, getLang, makeTranslator, mountLangToggle, onLangChange } from "../lib/i18n.js";
import { GridLoader } from "../lib/layers.js";
import { logout } from "../lib/page.js";
import "../lib/leaflet-text.js";
import { TEXT } from "../text/duty-tidal.js";

const L = window.L;
const $ = (id) => document.getElementById(id);

const tt = makeTranslator(TEXT);

const GRID_MIN_ZOOM = 9;
const GRID_CAP = 4000;

const state = {
  session: null,
  config: null,
  map: null,
  data: null,
  grids: null,
  demandByCode: new Map(),
  maxDemand: 0,
  unitLayer: null,
  toDisplay: (lng, lat) => [lng, lat],
  toWgs: (lng, lat) => [lng, lat],
  request: 0,
  timer: null,
  fitted: false,
};

const pct = (v) => (v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)}%`);
const displayLatLng = (lng, lat) => {
  const [x, y] = state.toDisplay(lng, lat);
  return L.latLng(y, x);
};
const coordsToLatLng = (c) => displayLatLng(c[0], c[1]);
const wgsOf = (latlng) => state.toWgs(latlng.lng, latlng.lat);

function fmtAt(iso) {
  return new Date(iso).toLocaleString(getLang() === "en" ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", hour12: false, month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit",
  });
}

function localToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
}

function localHour() {
  return Number(new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Shanghai", hour: "2-digit", hour12: false,
  }).format(new Date())) % 24;
}

// ---- grids: a light layer of the hour's expected incidents ------------------------

function gridStyle(code) {
  const v = state.demandByCode.get(code) || 0;
  const f = state.maxDemand > 0 ? Math.min(1, v / state.maxDemand) : 0;
  return {
    className: "td-grid",
    color: "#ef6c4a",
    weight: v > 0 ? 0.5 : 0.2,
    opacity: v > 0 ? 0.5 : 0.15,
    fillColor: "#ef6c4a",
    fillOpacity: v > 0 ? 0.06 + 0.5 * Math.sqrt(f) : 0,
  };
}

function restyleGrids() {
  if (!state.grids) return;
  for (const [code, layer] of state.grids.layers) layer.setStyle(gridStyle(code));
}

// ---- units and their stand points --------------------------------------------------

function drawUnits() {
  state.unitLayer.clearLayers();
  const d = state.data;
  for (const u of d.units) {
    const now = displayLatLng(u.lng, u.lat);
    if (u.moves) {
      const stand = displayLatLng(u.stand_lng, u.stand_lat);
      L.polyline([now, stand], {
        pane: "td-moves", className: "td-move", color: "#f0b429", weight: 1.6, opacity: 0.85,
        dashArray: "5 4", interactive: false,
      }).addTo(state.unitLayer);
      L.circleMarker(stand, {
        pane: "td-units", className: "td-stand", radius: 6, weight: 1.5, color: "#0b1320",
        fillColor: "#f0b429", fillOpacity: 1,
      }).bindTooltip(() => textOf(tt("stand_tip", { unit: u.call_sign, h: d.hour })), { className: "yy-tip" })
        .addTo(state.unitLayer);
    }
    L.circleMarker(now, {
      pane: "td-units", className: "td-unit", radius: 5, weight: 1.5, color: "#0b1320",
      fillColor: "#6b8cae", fillOpacity: 1,
    }).bindTooltip(() => textOf(tt("unit_tip", { unit: u.call_sign })), { className: "yy-tip" })
      .addTo(state.unitLayer);
  }
}

// ---- panel --------------------------------------------------------------------------

function render() {
  for (const node of document.querySelectorAll("[data-td]")) node.textContent = tt(node.dataset.td);
  applyI18n();
  const d = state.data;
  if (!d) return;
  const h = d.hour;
  const share = d.hours[h];
  $("td-hour-label").textContent = tt("hour_label", {
    h: String(h).padStart(2, "0"), h2: String((h + 1) % 24).padStart(2, "0"),
  });
  $("td-hour-cur").textContent = pct(share.current);
  $("td-hour-rec").textContent = pct(share.recommended);
  $("td-day-cur").textContent = pct(d.day_current);
  $("td-day-rec").textContent = pct(d.day_recommended);
  const source = tt(`source_${d.demand}`);
  $("td-meta").textContent = tt("meta", {
    units: d.units.length, source, method: d.method, n: d.incidents_used,
    hd: share.demand.toFixed(1), dd: d.day_demand.toFixed(0),
    target: d.target_s.toFixed(0), travel: d.travel_budget_s.toFixed(0),
  }) + (d.computed_at ? tt("computed", { at: atTime(d.computed_at) }) : "");
  renderBars(d);
  const adopted = $("td-adopted");
  if (d.adopted) {
    adopted.dataset.state = "adopted";
    adopted.textContent = `${tt("adopted", {
      source: tt(`source_${d.adopted.demand}`), who: d.adopted.adopted_by_name || "–",
      at: fmtAt(d.adopted.adopted_at), rec: pct(d.adopted.share_recommended),
      cur: pct(d.adopted.share_current),
    })}${getLang() === "en" ? ". " : "。"}${
      d.source === "adopted" ? tt("shown_adopted") : tt("shown_computed", { source })}`;
  } else {
    adopted.dataset.state = "none";
    adopted.textContent = tt("not_adopted");
  }
  const moves = $("td-moves");
  moves.replaceChildren();
  const moving = d.units.filter((u) => u.moves).sort((a, b) => b.distance_m - a.distance_m);
  if (!moving.length) moves.append(el("li", { class: "muted" }, tt("moves_none")));
  for (const u of moving) {
    moves.append(el("li", { dataset: { unit: u.unit_id } }, tt("move", { unit: u.call_sign }),
      el("span", { class: "km" }, tt("km", { km: (u.distance_m / 1000).toFixed(1) }))));
  }
  document.body.dataset.hour = String(h);
  document.body.dataset.source = d.source;
  document.body.dataset.demand = d.demand;
}

function renderBars(d) {
  const box = $("td-bars");
  box.replaceChildren();
  for (const s of d.hours) {
    const bar = el("div", {
      class: "td-bar", title: tt("bar_tip", { h: s.hour, cur: pct(s.current), rec: pct(s.recommended) }),
      "aria-current": s.hour === d.hour ? "true" : null,
      onclick: () => {
        $("td-hour").value = String(s.hour);
        load();
      },
    },
    el("i", { class: "cur", style: `height:${Math.max(2, s.current * 100)}%` }),
    el("i", { class: "rec", style: `height:${Math.max(2, s.recommended * 100)}%` }));
    box.append(bar);
  }
}

function showError(err) {
  const box = $("td-error");
  box.hidden = !err;
  box.textContent = err ? (err.text ? err.text() : String(err)) : "";
}

// ---- loading --------------------------------------------------------------------------

async function load() {
  const ticket = ++state.request;
  const params = new URLSearchParams({ day: $("td-day").value, hour: $("td-hour").value });
  if ($("td-demand").value) params.set("demand", $("td-demand").value);
  let data;
  try {
    data = await api(`/api/v1/duty/tidal?${params}`, { token: state.session.token });
  } catch (err) {
    if (ticket === state.request) showError(err);
    return;
  }
  if (ticket !== state.request) return; // a later hour was asked for meanwhile
  showError(null);
  state.data = data;
  state.demandByCode = new Map(data.grids.map((g) => [g.grid_code, g.demand]));
  state.maxDemand = data.grids.reduce((m, g) => Math.max(m, g.demand), 0);
  if (!state.fitted && data.bbox) {
    const [x0, y0, x1, y1] = data.bbox;
    state.map.fitBounds(L.latLngBounds(displayLatLng(x0, y0), displayLatLng(x1, y1)).pad(0.05));
    state.fitted = true;
  }
  drawUnits();
  restyleGrids();
  render();
  document.body.dataset.tidalReady = "1";
}

function scheduleLoad() {
  $("td-hour-label").textContent = tt("hour_label", {
    h: String($("td-hour").value).padStart(2, "0"),
    h2: String((Number($("td-hour").value) + 1) % 24).padStart(2, "0"),
  });
  clearTimeout(state.timer);
  state.timer = setTimeout(load, 120);
}

async function adopt() {
  const button = $("td-adopt");
  button.disabled = true;
  button.textContent = tt("adopting");
  try {
    await api("/api/v1/duty/tidal/adopt", {
      method: "POST", token: state.session.token,
      body: { day: $("td-day").value, demand: $("td-demand").value || state.data?.demand || "forecast" },
    });
    $("td-demand").value = "";
    await load();
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
    button.textContent = tt("adopt");
  }
}

function initMap() {
  const map = L.map("map", { zoomSnap: 0.25, minZoom: 6, maxZoom: 18 });
  map.attributionControl.setPrefix("Leaflet");
  L.control.scale({ imperial: false, maxWidth: 140 }).addTo(map);
  for (const [name, z] of [["td-districts", 350], ["td-grids", 420], ["td-moves", 440], ["td-units", 460]]) {
    map.createPane(name).style.zIndex = String(z);
  }
  if (state.config.tile_url) {
    L.tileLayer(state.config.tile_url, { maxZoom: 18 }).addTo(map);
    document.body.classList.add("has-tiles");
  }
  state.map = map;
  state.unitLayer = L.layerGroup().addTo(map);
  state.grids = new GridLoader({
    map, pane: "td-grids", token: state.session.token, coordsToLatLng, wgsOf,
    minZoom: GRID_MIN_ZOOM, cap: GRID_CAP, style: gridStyle,
    onFeature: (f, layer) => layer.bindTooltip(() => textOf(tt("grid_tip", {
      code: f.properties.code, v: (state.demandByCode.get(f.properties.code) || 0).toFixed(2),
    })), { sticky: true, className: "yy-tip" }),
  });
}

async function main() {
  state.session = loadSession();
  if (!state.session) {
    goToLogin();
    return;
  }
  mountLangToggle($("lang-toggle"));
  const token = state.session.token;
  let districts;
  try {
    [state.config, districts] = await Promise.all([
      api("/api/v1/ui/config", { token }),
      api("/api/v1/geo/districts", { token }),
    ]);
  } catch (err) {
    if (err.status === 401) return;
    document.body.classList.remove("is-pending");
    $("map-error").hidden = false;
    $("map-error").textContent = err.text ? err.text() : String(err);
    return;
  }
  if (state.config.tile_crs === "GCJ02") {
    state.toDisplay = wgs84ToGcj02;
    state.toWgs = gcj02ToWgs84;
  }
  document.body.classList.remove("is-pending");
  $("user-name").textContent = state.session.user?.display_name || state.session.user?.username || "";
  initMap();
  const outline = L.geoJSON(districts, {
    pane: "td-districts", interactive: false, coordsToLatLng,
    style: { color: "#9cc2e6", weight: 1.2, fillColor: "#1f3a55", fillOpacity: 0.35 },
  }).addTo(state.map);
  state.map.fitBounds(outline.getBounds());
  $("td-day").value = localToday();
  $("td-hour").value = String(localHour());
  $("td-hour").addEventListener("input", scheduleLoad);
  $("td-day").addEventListener("change", load);
  $("td-demand").addEventListener("change", load);
  $("td-adopt").addEventListener("click", adopt);
  $("logout").addEventListener("click", () => logout(state.session, null));
  onLangChange(render);
  render();
  await load();
}

main();

// When the day's stored plan was computed, in Beijing time.
function atTime(iso) {
  return new Date(iso).toLocaleString("zh-CN", {
    timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
}
