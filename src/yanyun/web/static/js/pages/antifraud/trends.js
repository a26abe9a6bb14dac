// The desk's trends: warnings by fraud type and by district in a day, week or month against
// the period before, and a district map coloured by warnings (the district boundaries the
// command map draws, from /api/v1/geo/districts). Text goes in as text, never as HTML.

import { api } from "../../lib/api.js";
import { el, textOf } from "../../lib/dom.js";
import { wgs84ToGcj02 } from "../../lib/gcj02.js";
import { getLang } from "../../lib/i18n.js";

const L = window.L;
const $ = (id) => document.getElementById(id);
const SCALE = ["#1e293b", "#fde68a", "#fbbf24", "#f97316", "#dc2626", "#7f1d1d"];
const trend = { map: null, layer: null, districts: null, data: null, toDisplay: (x, y) => [x, y] };

const nameOf = (r) => (getLang() === "en" ? r.en : r.zh);

/** The colour step of a count: 0 for none, else 1..5, each a fifth of the period's largest. */
export function step(count, max) {
  if (!count || !max) return 0;
  return Math.min(5, Math.ceil((count * 5) / max));
}

/** The legend: the counts each step holds, leaving out steps no whole count falls in. */
function legend(max) {
  const out = [el("span", { class: "af-scale-0", text: "0" })];
  for (let i = 1; i <= 5 && max; i += 1) {
    const lo = Math.floor((max * (i - 1)) / 5) + 1;
    const hi = Math.floor((max * i) / 5);
    if (lo > hi) continue;
    out.push(el("span", { class: `af-scale-${i}`, text: lo === hi ? String(hi) : `${lo}–${hi}` }));
  }
  return out;
}

function change(tx, r) {
  const sign = r.change > 0 ? "+" : "";
  const pct = r.change_pct === null ? "" : ` (${sign}${r.change_pct}%)`;
  return el("td", { class: r.change > 0 ? "af-up" : r.change < 0 ? "af-down" : "",
    text: r.change_pct === null && r.previous === 0 && r.count ? tx("new") : `${sign}${r.change}${pct}` });
}

function rows(tx, list, kind) {
  return list.map((r) => el("tr", { dataset: { code: r.code, kind } },
    el("td", { text: nameOf(r) }), el("td", { text: r.count }), el("td", { text: r.previous }),
    change(tx, r)));
}

function drawMap(tx) {
  if (!L || !trend.districts || !trend.data) return;
  const counts = new Map(trend.data.by_district.map((r) => [r.code, r]));
  const max = Math.max(0, ...trend.data.by_district.map((r) => r.count));
  if (trend.layer) trend.layer.remove();
  trend.layer = L.geoJSON(trend.districts, {
    coordsToLatLng: (c) => {
      const [x, y] = trend.toDisplay(c[0], c[1]);
      return L.latLng(y, x);
    },
    style: (f) => {
      const n = counts.get(f.properties.code)?.count || 0;
      return { color: "#9cc2e6", weight: 1, fillColor: SCALE[step(n, max)], fillOpacity: 0.75 };
    },
    onEachFeature: (f, layer) => {
      const r = counts.get(f.properties.code);
      layer.on("add", () => {
        const node = layer.getElement();
        node?.setAttribute("data-code", f.properties.code);
        node?.setAttribute("data-count", String(r?.count || 0));
        node?.classList.add("af-district");
      });
      layer.bindTooltip(() => textOf(tx("map_tip", {
        name: getLang() === "en" ? f.properties.name_en : f.properties.name_zh,
        n: r?.count || 0, p: r?.previous || 0,
      })), { sticky: true, className: "yy-tip" });
    },
  }).addTo(trend.map);
  if (!trend.fitted) {
    trend.map.fitBounds(trend.layer.getBounds());
    trend.fitted = true;
  }
  $("trend-legend").replaceChildren(...legend(max));
}

export function renderTrends(tx) {
  const d = trend.data;
  if (!d) return;
  $("trend-range").textContent = tx("trend_range", {
    s: d.start, e: d.end, ps: d.previous_start, pe: d.previous_end, n: d.total, p: d.previous_total,
  });
  $("type-table").tBodies[0].replaceChildren(...rows(tx, d.by_type, "type"));
  $("district-table").tBodies[0].replaceChildren(...rows(tx, d.by_district, "district"));
  drawMap(tx);
  document.body.dataset.trendPeriod = d.period;
}

export async function loadTrends(token, tx) {
  trend.data = await api(`/api/v1/antifraud/trends?period=${encodeURIComponent($("trend-period").value)}`, { token });
  renderTrends(tx);
}

/** Make the map once (the districts and the tile settings are read once). */
export async function startTrends(token, tx) {
  const [config, districts] = await Promise.all([
    api("/api/v1/ui/config", { token }),
    api("/api/v1/geo/districts", { token }),
  ]);
  trend.districts = districts;
  if (config.tile_crs === "GCJ02") trend.toDisplay = wgs84ToGcj02;
  if (L) {
    trend.map = L.map("trend-map", { zoomSnap: 0.25, minZoom: 6, maxZoom: 14, attributionControl: false });
    if (config.tile_url) L.tileLayer(config.tile_url, { maxZoom: 14 }).addTo(trend.map);
  }
  $("trend-period").addEventListener("change", () => loadTrends(token, tx).catch(() => {}));
  await loadTrends(token, tx);
}
