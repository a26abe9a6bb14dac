// Tomorrow's hotspot cells on the map, and beside them how well the same method
// did on the days before (yesterday's hit rate, the last days' pooled rate, PAI).

import { api, goToLogin, loadSession, sessionHeaders } from "../lib/api.js";
import { wgs84ToGcj02 } from "../lib/gcj02.js";
import { getLang, mountLangToggle, onLangChange } from "../lib/i18n.js";
import { logout } from "../lib/page.js";
import "../lib/leaflet-text.js";
import { TEXT } from "../text/forecast.js";

const L = window.L;
const $ = (id) => document.getElementById(id);

function tx(key, vars = {}) {
  let s = TEXT[key][getLang() === "en" ? 1 : 0];
  for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

const pct = (v) => (v === null || v === undefined ? "–" : `${(v * 100).toFixed(1)}%`);

const state = { session: null, data: null, map: null, layer: null, toDisplay: (a, b) => [a, b] };

function colour(rank, total) {
  const f = total > 1 ? (rank - 1) / (total - 1) : 0;
  if (f < 0.1) return "#7f1d1d";
  if (f < 0.3) return "#dc2626";
  if (f < 0.6) return "#f59e0b";
  return "#fde68a";
}

function render() {
  for (const node of document.querySelectorAll("[data-fc]")) node.textContent = tx(node.dataset.fc);
  document.documentElement.lang = getLang() === "en" ? "en" : "zh-CN";
  const d = state.data;
  if (!d) return;
  const s = d.score;
  $("score-yesterday").textContent = pct(s.yesterday_hit_rate);
  $("score-yesterday-n").textContent = tx("hits", { h: s.yesterday_hits, n: s.yesterday_incidents });
  $("score-days-label").textContent = tx("days_rate", { n: s.days });
  $("score-rate").textContent = pct(s.hit_rate);
  $("score-ci").textContent = s.hit_rate === null ? "" : tx("ci", { lo: pct(s.hit_rate_low), hi: pct(s.hit_rate_high) });
  $("score-pai").textContent = s.pai === null ? "–" : s.pai.toFixed(1);
  $("score-coverage").textContent = tx("coverage", { cov: pct(d.coverage) });
  $("score-note").textContent = tx("note");
  const sel = d.selection;
  $("score-served").textContent = !d.incidents_used ? "" : sel
    ? tx("served", {
      method: sel.label, a: pct(sel.hit_rate), b: pct(sel.baseline_hit_rate), n: sel.days,
      base: sel.baseline,
    })
    : tx("served_fixed", { method: d.method });
  if (d.incidents_used && sel && sel.gain_t !== null && sel.gain_t !== undefined) {
    $("score-served").textContent += tx("served_margin", { t: sel.gain_t, z: sel.margin_z });
  }
  $("fc-meta").textContent = d.incidents_used
    ? tx("meta", {
      day: d.day, method: d.method, cells: d.area_cells, m: d.cell_m, cov: pct(d.coverage),
      hot: d.hotspot_cells, n: d.incidents_used,
    })
    : tx("none");
  if (d.incidents_used && d.computed_at) $("fc-meta").textContent += tx("computed", { at: atTime(d.computed_at) });
  fillGrids($("fc-grids"), d.grids.slice(0, 10));
  const shift = d.next_shift;
  $("fc-shift-card").hidden = !shift || !shift.grids.length;
  if (shift) {
    const at = (iso) => new Date(iso).toLocaleTimeString(getLang() === "en" ? "en-GB" : "zh-CN", {
      timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false,
    });
    $("fc-shift-meta").textContent = tx("shift_meta", {
      name: tx(`shift_${shift.name}`), from: at(shift.starts_at), to: at(shift.ends_at),
      share: pct(shift.city_share),
    });
    fillGrids($("fc-shift-grids"), shift.grids.slice(0, 5));
  }
  if (state.layer) {
    state.layer.eachLayer((layer) => {
      const p = layer.feature.properties;
      layer.setTooltipContent(`${tx("rank", { r: p.rank })} · ${p.risk.toFixed(3)}`);
    });
  }
}

/** Grids with their share of the risk, riskiest first. */
function fillGrids(list, grids) {
  list.replaceChildren();
  for (const g of grids) {
    const li = document.createElement("li");
    const risk = document.createElement("span");
    risk.className = "risk";
    risk.textContent = tx("share", { v: pct(g.risk_share) });
    li.append(g.grid_code, risk);
    list.append(li);
  }
}

function drawHotspots() {
  const features = state.data.hotspots.features;
  const total = features.length;
  state.layer = L.geoJSON(state.data.hotspots, {
    coordsToLatLng: (c) => {
      const [x, y] = state.toDisplay(c[0], c[1]);
      return L.latLng(y, x);
    },
    style: (f) => ({
      className: "fc-cell",
      color: colour(f.properties.rank, total),
      weight: 2,
      fillColor: colour(f.properties.rank, total),
      fillOpacity: 0.75,
    }),
    onEachFeature: (f, layer) => layer.bindTooltip(""),
  }).addTo(state.map);
  if (total) state.map.fitBounds(state.layer.getBounds(), { padding: [24, 24] });
}

async function download(path, filename) {
  const res = await fetch(path, { headers: sessionHeaders(), credentials: "same-origin" });
  if (!res.ok) return;
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  if (filename) {
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    a.click();
  } else {
    window.open(url, "_blank", "noopener");
  }
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

async function main() {
  state.session = loadSession();
  if (!state.session) {
    goToLogin();
    return;
  }
  mountLangToggle($("lang-toggle"));
  const token = state.session.token;
  let config;
  let districts;
  try {
    [config, state.data, districts] = await Promise.all([
      api("/api/v1/ui/config", { token }),
      api("/api/v1/forecast/next-day", { token }),
      api("/api/v1/geo/districts", { token }),
    ]);
  } catch (err) {
    if (err.status === 401) return;
    document.body.classList.remove("is-pending");
    $("map-error").hidden = false;
    $("map-error").textContent = err.text ? err.text() : String(err);
    return;
  }
  document.body.classList.remove("is-pending");
  $("user-name").textContent = state.session.user?.display_name || state.session.user?.username || "";
  if (config.tile_crs === "GCJ02") state.toDisplay = wgs84ToGcj02;
  state.map = L.map("map", { zoomSnap: 0.25, minZoom: 6, maxZoom: 18 });
  state.map.attributionControl.setPrefix("Leaflet");
  L.control.scale({ imperial: false, maxWidth: 140 }).addTo(state.map);
  if (config.tile_url) L.tileLayer(config.tile_url, { maxZoom: 18 }).addTo(state.map);
  const outline = L.geoJSON(districts, {
    interactive: false,
    coordsToLatLng: (c) => {
      const [x, y] = state.toDisplay(c[0], c[1]);
      return L.latLng(y, x);
    },
    style: { color: "#9cc2e6", weight: 1.2, fillColor: "#1f3a55", fillOpacity: 0.35 },
  }).addTo(state.map);
  state.map.fitBounds(outline.getBounds());
  drawHotspots();
  render();
  onLangChange(render);
  $("export-geojson").addEventListener("click",
    () => download("/api/v1/forecast/hotspots.geojson", `hotspots-${state.data.day}.geojson`));
  $("open-report").addEventListener("click", () => download("/api/v1/forecast/report"));
  $("logout").addEventListener("click", () => logout(state.session, null));
  document.body.dataset.forecastReady = "1";
}

main();

// When the day's stored forecast was computed, in Beijing time.
function atTime(iso) {
  return new Date(iso).toLocaleString("zh-CN", {
    timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
}
