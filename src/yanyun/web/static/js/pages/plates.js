// The plate-search page: a plate (exact or fuzzy), a window, a case number and a
// purpose in; the ordered sightings, the camera list and the trajectory on the
// map out. The search reaches personal data, so the server refuses it without a
// case number and a purpose and audits it with them; the form asks for both first.

import { api, ApiError, goToLogin, loadSession } from "../lib/api.js";
import { getLang, mountLangToggle, onLangChange, pick } from "../lib/i18n.js";
import { logout } from "../lib/page.js";
import { el, textOf } from "../lib/dom.js";
import "../lib/leaflet-text.js";
import { TEXT } from "../text/plates.js";

const L = window.L;
const $ = (id) => document.getElementById(id);
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;
const PERMANENT_TIMES_UP_TO = 14;
const DEFAULT_WINDOW_DAYS = 3;

function tr(key, vars = {}) {
  const entry = TEXT[key];
  let text = entry ? entry[getLang() === "en" ? 1 : 0] : key;
  for (const [name, value] of Object.entries(vars)) text = text.split(`{${name}}`).join(String(value));
  return text;
}

const state = { session: null, map: null, layer: null, result: null, plate: null };

/** A datetime-local value for an instant, in Beijing time whatever the browser's zone. */
function shanghaiInput(ms) {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16);
}

function fromShanghaiInput(value) {
  return value ? `${value}:00+08:00` : null;
}

function applyTexts() {
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = tr(node.dataset.t);
  document.documentElement.lang = getLang() === "en" ? "en" : "zh-CN";
  document.title = `${tr("app")} · ${tr("title")}`;
  $("map").setAttribute("aria-label", tr("map_label"));
  if (state.result) renderResult();
}

function showError(text, field) {
  const box = $("form-error");
  box.textContent = text;
  box.hidden = !text;
  if (field) $(field)?.focus();
}

async function search(event) {
  event.preventDefault();
  const plate = $("plate").value.trim();
  const caseNumber = $("case-number").value.trim();
  const purpose = $("purpose").value.trim();
  if (!plate) return showError(tr("need_plate"), "plate");
  if (!caseNumber) return showError(tr("need_case"), "case-number");
  if (!purpose) return showError(tr("need_purpose"), "purpose");
  showError("");
  const button = $("search-btn");
  button.disabled = true;
  button.textContent = tr("searching");
  try {
    const body = {
      plate,
      fuzzy: $("fuzzy").checked,
      start: fromShanghaiInput($("start").value),
      end: fromShanghaiInput($("end").value),
      area: $("area").value.trim() || null,
      case_number: caseNumber,
      purpose,
    };
    state.result = await api("/api/v1/intel/plate-search", {
      method: "POST", body, token: state.session.token,
    });
    state.plate = state.result.plates[0]?.plate ?? null;
    renderResult();
  } catch (err) {
    if (err instanceof ApiError) {
      const fieldMap = { case_number: "case-number", purpose: "purpose", plate: "plate" };
      showError(err.text(), fieldMap[err.field]);
    } else {
      throw err;
    }
  } finally {
    button.disabled = false;
    button.textContent = tr("search");
  }
}

function renderResult() {
  const r = state.result;
  $("result-card").hidden = false;
  $("result-summary").textContent = r.sightings.length
    ? tr("summary", { n: r.sightings.length, p: r.plates.length, engine: r.engine, ms: r.engine_ms })
    : tr("none");
  const chips = r.plates.map((p) => {
    const chip = el("button", {
      type: "button", class: "chip", "aria-pressed": String(p.plate === state.plate),
      dataset: { plate: p.plate },
    }, p.plate, el("span", { class: "match" }, `${tr(`match_${p.match}`)} · ${p.sightings}`));
    chip.addEventListener("click", () => {
      state.plate = p.plate;
      renderResult();
    });
    return chip;
  });
  $("plate-chips").replaceChildren(...chips);
  const rows = r.sightings.filter((s) => s.plate === state.plate);
  const body = $("sightings").querySelector("tbody");
  body.replaceChildren(...rows.map((s, i) => {
    const row = el("tr", { class: s.flags.length ? "flagged" : "", dataset: { index: String(i) } },
      el("td", {}, String(i + 1)),
      el("td", {}, s.seen_at_local.slice(5)),
      el("td", { class: "cam", title: s.camera }, s.camera_name ?? s.camera),
      el("td", {}, s.camera_kind ? tr(`kind_${s.camera_kind}`) : ""),
      el("td", { class: "grid", title: s.grid_code ?? "" }, s.grid_name ?? s.grid_code ?? ""),
      el("td", {}, s.flags.map((f) => tr(f)).join(" ")));
    row.addEventListener("click", () => focusStop(i));
    return row;
  }));
  drawTrajectory(rows);
  document.body.dataset.result = String(rows.length);
}

const markers = [];

function drawTrajectory(rows) {
  if (state.layer) state.layer.remove();
  markers.length = 0;
  const points = rows.filter((s) => s.lng !== null);
  const layer = L.layerGroup();
  const latlngs = points.map((s) => L.latLng(s.lat, s.lng));
  if (latlngs.length > 1) {
    L.polyline(latlngs, { color: "#4ea1f3", weight: 3, opacity: 0.9 }).addTo(layer);
  }
  // One stop per camera: a commute passes the same cameras out and back, so the
  // numbers and times of every passage are listed on one marker.
  const stops = new Map();
  points.forEach((s, i) => {
    const key = `${s.lng},${s.lat}`;
    if (!stops.has(key)) stops.set(key, { latlng: latlngs[i], passes: [] });
    stops.get(key).passes.push({ n: i + 1, s });
  });
  const last = points.length;
  for (const { latlng, passes } of stops.values()) {
    const numbers = passes.map((p) => p.n);
    const cls = numbers.includes(1) ? "first" : numbers.includes(last) ? "last" : "";
    const marker = L.marker(latlng, {
      icon: L.divIcon({ className: `yy-stop ${cls}`, html: String(numbers[0]), iconSize: null }),
      title: passes.map((p) => `${p.n} ${p.s.seen_at_local}`).join("\n"),
    }).addTo(layer);
    const label = passes.map((p) => `${p.n} · ${p.s.seen_at_local.slice(5, 16)}`).join("\n");
    marker.bindTooltip(textOf(label), {
      permanent: stops.size <= PERMANENT_TIMES_UP_TO || numbers.includes(1) || numbers.includes(last),
      direction: "right", offset: [10, 0], className: "yy-time",
    });
    for (const p of passes) markers[p.n - 1] = marker;
  }
  layer.addTo(state.map);
  state.layer = layer;
  if (latlngs.length) state.map.fitBounds(L.latLngBounds(latlngs).pad(0.25), { maxZoom: 15 });
}

function focusStop(i) {
  const marker = markers[i];
  if (!marker) return;
  state.map.panTo(marker.getLatLng());
  marker.openTooltip();
}

async function main() {
  state.session = loadSession();
  if (!state.session) {
    goToLogin();
    return;
  }
  mountLangToggle($("lang-toggle"));
  onLangChange(applyTexts);
  applyTexts();
  $("logout").addEventListener("click", () => logout(state.session, null));
  const now = Date.now();
  $("end").value = shanghaiInput(now);
  $("start").value = shanghaiInput(now - DEFAULT_WINDOW_DAYS * 86_400_000);
  const params = new URLSearchParams(location.search);
  if (params.get("plate")) $("plate").value = params.get("plate");
  $("search-form").addEventListener("submit", search);

  state.map = L.map("map", { zoomSnap: 0.25, minZoom: 6, maxZoom: 18 });
  state.map.attributionControl.setPrefix(
    '<a href="https://leafletjs.com" title="Leaflet" rel="noopener">Leaflet</a>');
  L.control.scale({ imperial: false, maxWidth: 140 }).addTo(state.map);
  const [me, districts] = await Promise.all([
    api("/api/v1/auth/me", { token: state.session.token }),
    api("/api/v1/geo/districts", { token: state.session.token }),
  ]);
  $("user-name").textContent = me.user.display_name || me.user.username;
  const outline = L.geoJSON(districts, {
    interactive: false,
    style: (f) => ({
      color: "#9cc2e6", weight: 1.2, opacity: 0.8,
      fillColor: f.properties.is_urban ? "#2f5f8f" : "#1f3a55", fillOpacity: 0.55,
    }),
  }).addTo(state.map);
  state.map.fitBounds(outline.getBounds());
  document.body.dataset.ready = "1";
}

main().catch((err) => {
  showError(err instanceof ApiError ? err.text() : pick({ "zh-CN": "页面加载失败", en: "The page failed to load" }));
  throw err;
});
