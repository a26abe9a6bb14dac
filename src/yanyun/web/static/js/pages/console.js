// The dispatcher console (接警调度台): call intake with parsed suggestions, the
// open-incident queue with 1-3-5 clocks, a map of incidents and units, and the
// incident detail with recommended units. Live events keep it all current.
//
// The API speaks WGS-84; under GCJ-02 tiles coordinates are shifted for drawing
// and clicks shifted back, as on the map page.

import { api, ApiError, goToLogin, loadSession } from "../lib/api.js";
import { applyConsoleText, ct } from "../text/console.js";
import { gcj02ToWgs84, wgs84ToGcj02 } from "../lib/gcj02.js";
import { applyI18n, fmtNumber, getLang, mountLangToggle, onLangChange, t } from "../lib/i18n.js";
import { fmtTime, logout, renderConnBanner, startPageLive } from "../lib/page.js";
import { circleLayer, GridLoader, nameOf, stationLayer } from "../lib/layers.js";
import { clockOf as responseClock, fmtDuration } from "../lib/response-clock.js";
import { el, textOf } from "../lib/dom.js";
import "../lib/leaflet-text.js";

const L = window.L;
const PARSE_DEBOUNCE_MS = 300;
const OPEN = new Set(["received", "dispatched", "en_route", "on_scene", "reopened"]);
const UNIT_COLOURS = {
  available: "#3fb67f", dispatched: "#e3a63b", en_route: "#4ea1f3",
  on_scene: "#c77dff", out_of_service: "#5d6b7c", emergency: "#ff1744",
};
const PRIORITY_COLOURS = { 1: "#ec6a5e", 2: "#f08c3c", 3: "#e3c33b", 4: "#7fb3e6" };
const GRID_MIN_ZOOM = 13;
const GRID_CAP = 1500;
const GRID_STYLE = { color: "#5a9cc4", weight: 0.6, opacity: 0.5, fillOpacity: 0, interactive: false };
const GRID_STYLE_TILES = { ...GRID_STYLE, color: "#3b7fb8", opacity: 0.7 };

const $ = (id) => document.getElementById(id);
const en = () => getLang() === "en";


const state = {
  session: null,
  me: null,
  config: null,
  map: null,
  toDisplay: (lng, lat) => [lng, lat],
  toWgs: (lng, lat) => [lng, lat],
  categories: [],
  subs: new Map(),
  incidents: new Map(),
  incidentMarkers: new Map(),
  units: new Map(),
  unitMarkers: new Map(),
  selectedId: null,
  detail: null,
  // A move being explained (resolve: outcome and note; cancel: reason), kept across redraws.
  move: null,
  outcomes: null,
  overdueShown: 0,
  // Units whose crew pressed 一键求助, by unit id: {incidentId, number}.
  emergencies: new Map(),
  recs: null,
  recsFor: null,
  actionMsg: null,
  intake: { text: "", suggestions: null, parsing: false, location: null, locSource: null,
    subCode: "", categoryCode: "", priority: "", touchedCategory: false, touchedPriority: false },
  intakeMsg: null,
  pickMarker: null,
  parseTimer: null,
  parseAbort: null,
  live: null,
  liveState: { state: "connecting" },
  lastEvent: null,
  refetching: new Map(),
};

// ---- coordinates -------------------------------------------------------------

function displayLatLng(lng, lat) {
  const [x, y] = state.toDisplay(lng, lat);
  return L.latLng(y, x);
}
const coordsToLatLng = (c) => displayLatLng(c[0], c[1]);

// ---- formatting --------------------------------------------------------------

const statusLabel = (inc) => (en() ? inc.status_label_en : inc.status_label_zh);
const categoryLabel = (inc) => (en() ? inc.category_label_en : inc.category_label_zh);
const priorityLabel = (p) => ct("priority_n", { p });

/** The 1-3-5 clock of an incident as the API returns it. */
const clockOf = (inc, now = Date.now()) => responseClock({ received_at: inc.received_at, ...inc.clock }, now);

// ---- queue -------------------------------------------------------------------

function sortedIncidents() {
  return [...state.incidents.values()].sort((a, b) => a.priority - b.priority ||
    Date.parse(b.received_at) - Date.parse(a.received_at));
}

function renderQueue() {
  const list = sortedIncidents();
  const now = Date.now();
  $("queue-count").textContent = list.length ? `(${fmtNumber(list.length)})` : "";
  if (!list.length) {
    $("queue").replaceChildren(el("li", { class: "queue-empty muted" }, ct("queue_empty")));
  } else {
    $("queue").replaceChildren(...list.map((inc) => {
      const clock = clockOf(inc, now);
      return el("li", {
        class: `qrow${inc.id === state.selectedId ? " is-selected" : ""}`,
        tabindex: "0",
        dataset: { id: inc.id, number: inc.number, status: inc.status, priority: String(inc.priority) },
        onclick: () => select(inc.id),
        onkeydown: (e) => { if (e.key === "Enter") select(inc.id); },
      },
      el("span", { class: `prio prio-${inc.priority}` }, priorityLabel(inc.priority)),
      el("div", { class: "qmain" },
        el("div", { class: "qtop" },
          el("span", { class: "qnum mono" }, inc.number),
          el("span", { class: `qstatus st-${inc.status}` }, statusLabel(inc))),
        el("div", { class: "qsub" },
          el("span", { class: "qcat" }, categoryLabel(inc)),
          el("span", { class: "qstation mono" }, inc.station_code))),
      el("span", {
        class: `clock clock-${clock.level}`, dataset: { level: clock.level, receivedAt: inc.received_at },
        title: ct(clock.phase === "dispatch" ? "clock_dispatch" : "clock_arrival", { t: fmtDuration(clock.target) }),
      }, fmtDuration(clock.shown)));
    }));
  }
  const values = [...state.incidents.values()];
  $("sum-open").textContent = fmtNumber(values.length);
  $("sum-waiting").textContent = fmtNumber(values.filter((i) => i.status === "received").length);
  $("sum-breached").textContent = fmtNumber(values.filter((i) => clockOf(i, now).level === "bad").length);
  renderUnitCount();
}

function renderUnitCount() {
  let n = 0;
  for (const u of state.units.values()) if (u.status === "available") n += 1;
  $("sum-available").textContent = fmtNumber(n);
}

/** Every second: only the clocks change, so only they are rewritten. */
function tickClocks() {
  const now = Date.now();
  for (const node of document.querySelectorAll(".qrow")) {
    const inc = state.incidents.get(node.dataset.id);
    const span = node.querySelector(".clock");
    if (!inc || !span) continue;
    const clock = clockOf(inc, now);
    span.textContent = fmtDuration(clock.shown);
    span.className = `clock clock-${clock.level}`;
    span.dataset.level = clock.level;
  }
  const big = $("detail-clock");
  const inc = state.incidents.get(state.selectedId);
  if (big && inc) {
    const clock = clockOf(inc, now);
    big.querySelector(".big").textContent = fmtDuration(clock.shown);
    big.dataset.level = clock.level;
  }
  // A unit passing its acknowledgement deadline redraws the detail that flags it.
  const overdue = unackedUnits(now).length;
  if (overdue !== state.overdueShown) {
    state.overdueShown = overdue;
    renderDetail();
  }
  const values = [...state.incidents.values()];
  $("sum-breached").textContent = fmtNumber(values.filter((i) => clockOf(i, now).level === "bad").length);
}

// ---- map ---------------------------------------------------------------------

function createMap(districts) {
  const map = L.map("map", { zoomControl: false, zoomSnap: 0.25, minZoom: 6, maxZoom: 18 });
  map.attributionControl.setPrefix(
    '<a href="https://leafletjs.com" title="Leaflet" rel="noopener">Leaflet</a>');
  L.control.zoom({ position: "topright", zoomInTitle: t("zoom_in"), zoomOutTitle: t("zoom_out") }).addTo(map);
  L.control.scale({ imperial: false, maxWidth: 120 }).addTo(map);
  for (const [name, z] of [["yy-districts", 350], ["yy-grids", 380], ["yy-circles", 390], ["yy-stations", 410],
    ["yy-units", 430], ["yy-incidents", 450], ["yy-pick", 470]]) {
    map.createPane(name).style.zIndex = String(z);
  }
  if (state.config.tile_url) {
    L.tileLayer(state.config.tile_url, { maxZoom: 18, minZoom: 3 }).addTo(map);
    document.body.classList.add("has-tiles");
  }
  const tiles = Boolean(state.config.tile_url);
  const layer = L.geoJSON(districts, {
    pane: "yy-districts",
    interactive: false,
    coordsToLatLng,
    style: (f) => ({
      color: tiles ? "#2a64a0" : "#6f9cc6",
      weight: 1.2,
      opacity: 0.8,
      fillColor: f.properties.is_urban ? "#2f5f8f" : "#1f3a55",
      fillOpacity: tiles ? 0.06 : 0.45,
    }),
  }).addTo(map);
  const stations = stationLayer(state.stations, { coordsToLatLng, pane: "yy-stations" }).addTo(map);
  const circles = circleLayer(state.circles, { displayLatLng, pane: "yy-circles" }).addTo(map);
  state.grids = new GridLoader({
    map, pane: "yy-grids", token: state.session.token, coordsToLatLng,
    wgsOf: (ll) => state.toWgs(ll.lng, ll.lat), minZoom: GRID_MIN_ZOOM, cap: GRID_CAP,
    style: () => (tiles ? GRID_STYLE_TILES : GRID_STYLE),
    onFeature: (f, l) => l.bindTooltip(() => textOf(nameOf(f.properties)), { sticky: true, className: "yy-tip" }),
  });
  state.layerControl = L.control.layers(null, {
    [ct("layer_stations")]: stations, [ct("layer_circles")]: circles, [ct("layer_grids")]: state.grids.group,
  }, { position: "topright", collapsed: true }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [10, 10] });
  map.setMaxBounds(layer.getBounds().pad(0.6));
  map.on("click", (e) => {
    const [lng, lat] = state.toWgs(e.latlng.lng, e.latlng.lat);
    setLocation({ lng, lat, name: null }, "map");
  });
  return map;
}

function drawUnit(u) {
  let marker = state.unitMarkers.get(u.id);
  const colour = UNIT_COLOURS[u.status] || UNIT_COLOURS.out_of_service;
  if (!marker) {
    marker = L.circleMarker(displayLatLng(u.lng, u.lat), {
      pane: "yy-units", radius: 3.5, weight: 1, color: "#0b1320", fillColor: colour,
      fillOpacity: 0.95, bubblingMouseEvents: false,
    });
    marker.bindTooltip(() => {
      const unit = state.units.get(u.id);
      return textOf(`${unit.call_sign} · ${ct(`unit_${unit.status}`)}`);
    }, { direction: "top", className: "yy-tip" });
    marker.bindPopup(() => unitPopup(state.units.get(u.id)), { maxWidth: 260 });
    marker.on("add", () => {
      const node = marker.getElement();
      node?.setAttribute("data-unit", u.id);
      node?.setAttribute("data-status", state.units.get(u.id)?.status || "");
    });
    marker.addTo(state.map);
    state.unitMarkers.set(u.id, marker);
  } else {
    marker.setLatLng(displayLatLng(u.lng, u.lat));
    marker.setStyle({ fillColor: colour });
    marker.getElement()?.setAttribute("data-status", u.status);
  }
}

/** A unit's card on the map: what it is, where it belongs, what it is doing. */
function unitPopup(unit) {
  const current = unit.current_incident_id && state.incidents.get(unit.current_incident_id);
  const caps = (unit.capabilities || []).map((c) => ct(`cap_${c}`)).join(en() ? ", " : "、");
  const job = current
    ? el("a", { href: "#", class: "mono", onclick: (e) => { e.preventDefault(); select(current.id); } }, current.number)
    : null;
  return el("div", { class: "yy-popup", dataset: { unitPopup: unit.id } },
    el("div", { class: "yy-popup-title" }, unit.call_sign),
    el("div", { class: "yy-popup-sub" }, `${ct(`kind_${unit.kind}`)} · ${ct(`unit_${unit.status}`)}`),
    el("dl", {},
      el("dt", {}, ct("station")), el("dd", { class: "mono" }, unit.station_code),
      caps ? [el("dt", {}, ct("unit_caps")), el("dd", {}, caps)] : null,
      job ? [el("dt", {}, ct("unit_job")), el("dd", {}, job)] : null,
      unit.stale ? [el("dt", {}, ct("unit_fix")), el("dd", {}, ct("unit_stale"))] : null));
}

function drawIncident(inc) {
  let marker = state.incidentMarkers.get(inc.id);
  const selected = inc.id === state.selectedId;
  const style = {
    radius: selected ? 10 : 7, weight: selected ? 3 : 2, color: selected ? "#ffffff" : "#0b1320",
    fillColor: PRIORITY_COLOURS[inc.priority] || PRIORITY_COLOURS[4], fillOpacity: 1,
  };
  if (!marker) {
    marker = L.circleMarker(displayLatLng(inc.lng, inc.lat), {
      pane: "yy-incidents", bubblingMouseEvents: false, ...style,
    });
    marker.on("click", () => select(inc.id));
    marker.bindTooltip(() => {
      const cur = state.incidents.get(inc.id);
      return textOf(cur ? `${cur.number} · ${categoryLabel(cur)} · ${statusLabel(cur)}` : "");
    }, { direction: "top", className: "yy-tip" });
    marker.on("add", () => marker.getElement()?.setAttribute("data-incident", inc.id));
    marker.addTo(state.map);
    state.incidentMarkers.set(inc.id, marker);
  } else {
    marker.setLatLng(displayLatLng(inc.lng, inc.lat));
    marker.setStyle(style);
  }
  marker.getElement()?.setAttribute("data-status", inc.status);
  if (selected) marker.bringToFront();
}

function removeIncident(id) {
  state.incidents.delete(id);
  const marker = state.incidentMarkers.get(id);
  if (marker) state.map.removeLayer(marker);
  state.incidentMarkers.delete(id);
}

function upsertIncident(inc) {
  if (!OPEN.has(inc.status)) removeIncident(inc.id);
  else {
    state.incidents.set(inc.id, inc);
    drawIncident(inc);
  }
  renderQueue();
}

// ---- intake ------------------------------------------------------------------

function fillCategorySelect() {
  const select = $("sub-select");
  const keep = select.value;
  const options = [el("option", { value: "" }, ct("choose_category"))];
  for (const cat of state.categories) {
    options.push(el("optgroup", { label: en() ? cat.label_en : cat.label_zh },
      cat.subcategories.map((s) => el("option", { value: s.code },
        `${en() ? s.label_en : s.label_zh}`))));
  }
  select.replaceChildren(...options);
  select.value = keep;
  const pSelect = $("priority-select");
  const pKeep = pSelect.value;
  pSelect.replaceChildren(el("option", { value: "" }, "–"),
    ...[1, 2, 3, 4].map((p) => el("option", { value: String(p) }, priorityLabel(p))));
  pSelect.value = pKeep;
}

function setLocation(loc, source) {
  state.intake.location = loc;
  state.intake.locSource = source;
  const latlng = displayLatLng(loc.lng, loc.lat);
  if (!state.pickMarker) {
    state.pickMarker = L.circleMarker(latlng, {
      pane: "yy-pick", className: "yy-pick", radius: 8, weight: 3, color: "#ffffff",
      fillColor: "#4ea1f3", fillOpacity: 1, interactive: false,
    }).addTo(state.map);
  } else {
    state.pickMarker.setLatLng(latlng);
  }
  if (source === "parse") state.map.setView(latlng, Math.max(state.map.getZoom(), 13));
  renderSuggestions();
}

function clearLocation() {
  state.intake.location = null;
  state.intake.locSource = null;
  if (state.pickMarker) state.map.removeLayer(state.pickMarker);
  state.pickMarker = null;
}

function chip(kind, value, source, extra = {}) {
  return el("div", { class: `sg sg-${kind}`, dataset: { kind } },
    el("span", { class: "sg-key" }, ct(`sg_${kind}`)),
    el("span", { class: `sg-val${value ? "" : " muted"}`, id: `sg-${kind}` }, value || ct("sg_none")),
    source ? el("span", { class: "sg-src" }, source) : null,
    extra.conf !== undefined ? el("span", { class: "sg-conf mono" }, `${Math.round(extra.conf * 100)}%`) : null);
}

function renderSuggestions() {
  const box = $("suggest");
  const s = state.intake.suggestions;
  const loc = state.intake.location;
  if (!s && !loc) {
    box.replaceChildren(state.intake.parsing ? el("p", { class: "muted" }, ct("sg_parsing")) : "");
    return;
  }
  const rows = [];
  if (loc) {
    const name = state.intake.locSource === "map"
      ? `${loc.lng.toFixed(5)}, ${loc.lat.toFixed(5)}` : loc.name;
    const src = state.intake.locSource === "map" ? ct("sg_map_pick") : ct("sg_from", { w: loc.source });
    rows.push(chip("place", name, src, { conf: state.intake.locSource === "map" ? undefined : loc.confidence }));
  } else {
    rows.push(el("div", { class: "sg sg-place sg-missing", dataset: { kind: "place" } },
      el("span", { class: "sg-key" }, ct("sg_place")),
      el("span", { class: "sg-val", id: "sg-place" }, ct("sg_manual"))));
  }
  if (s) {
    rows.push(chip("time", s.occurred_at ? fmtTime(s.occurred_at.at) : null,
      s.occurred_at ? ct("sg_from", { w: s.occurred_at.source }) : null));
    const sub = s.category?.sub_code ? state.subs.get(s.category.sub_code) : null;
    const catName = sub ? (en() ? `${sub.cat.label_en}/${sub.sub.label_en}` : `${sub.cat.label_zh}/${sub.sub.label_zh}`) : null;
    rows.push(chip("category", catName, s.category ? ct("sg_from", { w: s.category.source }) : null,
      { conf: s.category?.confidence }));
    rows.push(chip("priority", s.priority ? priorityLabel(s.priority.priority) : null,
      s.priority?.source ? ct("sg_from", { w: s.priority.source }) : null));
  }
  box.replaceChildren(...rows);
}

function scheduleParse() {
  clearTimeout(state.parseTimer);
  state.parseTimer = setTimeout(parseNow, PARSE_DEBOUNCE_MS);
}

async function parseNow() {
  const text = $("narrative").value.trim();
  state.parseAbort?.abort();
  if (!text) {
    state.intake.suggestions = null;
    if (state.intake.locSource === "parse") clearLocation();
    renderSuggestions();
    return;
  }
  const controller = new AbortController();
  state.parseAbort = controller;
  state.intake.parsing = true;
  let s;
  try {
    s = await api("/api/v1/intake/parse", {
      method: "POST", body: { text }, token: state.session.token, signal: controller.signal,
    });
  } catch (err) {
    if (err.name === "AbortError") return;
    state.intake.parsing = false;
    setIntakeMsg(failure(err));
    return;
  }
  if (controller.signal.aborted) return;
  state.intake.parsing = false;
  state.intake.suggestions = s;
  // A place picked by hand on the map wins over the parser.
  if (s.location && state.intake.locSource !== "map") setLocation(s.location, "parse");
  else if (!s.location && state.intake.locSource === "parse") clearLocation();
  if (s.category?.sub_code && !state.intake.touchedCategory) $("sub-select").value = s.category.sub_code;
  if (s.priority && !state.intake.touchedPriority) $("priority-select").value = String(s.priority.priority);
  renderSuggestions();
}

/**
 * A status line kept as what it says (a label key, or the API's error), not as
 * text, so switching language rewrites lines already shown.
 */
const note = (kind, key, vars = {}) => ({ kind, key, vars });
const failure = (err) => ({ kind: "error", err });
function noteText(m) {
  if (!m) return "";
  if (m.err) return m.err instanceof ApiError ? m.err.text() : String(m.err);
  return ct(m.key, m.vars);
}

function setIntakeMsg(m) {
  state.intakeMsg = m;
  const box = $("intake-msg");
  box.textContent = noteText(m);
  box.dataset.kind = m?.kind || "";
}

function resetIntake() {
  $("narrative").value = "";
  $("sub-select").value = "";
  $("priority-select").value = "";
  state.intake.suggestions = null;
  state.intake.touchedCategory = false;
  state.intake.touchedPriority = false;
  clearLocation();
  renderSuggestions();
}

async function createIncident() {
  clearTimeout(state.parseTimer);
  const narrative = $("narrative").value.trim();
  if (narrative.length < 2) return setIntakeMsg(note("error", "need_text"));
  if (!state.intake.location && !state.intake.suggestions) await parseNow();
  const loc = state.intake.location;
  if (!loc) return setIntakeMsg(note("error", "need_location"));
  const subCode = $("sub-select").value;
  if (!subCode) return setIntakeMsg(note("error", "need_category"));
  const body = {
    narrative, lng: loc.lng, lat: loc.lat,
    category_code: state.subs.get(subCode).cat.code, sub_code: subCode,
  };
  const priority = $("priority-select").value;
  if (priority) body.priority = Number(priority);
  if (loc.name) body.address_text = loc.name;
  const when = state.intake.suggestions?.occurred_at?.at;
  if (when && Date.parse(when) <= Date.now()) body.occurred_at = when;
  setIntakeMsg(note("pending", "creating"));
  $("create").disabled = true;
  let inc;
  try {
    inc = await api("/api/v1/incidents", { method: "POST", body, token: state.session.token });
  } catch (err) {
    setIntakeMsg(failure(err));
    return undefined;
  } finally {
    $("create").disabled = false;
  }
  setIntakeMsg(note("ok", "created", { n: inc.number }));
  resetIntake();
  upsertIncident(inc);
  await select(inc.id, { focus: true });
  return undefined;
}

// ---- detail ------------------------------------------------------------------

async function select(id, { focus = false } = {}) {
  const previous = state.selectedId;
  state.selectedId = id;
  if (previous !== id) {
    state.detail = null;
    state.recs = null;
    state.dups = null;
    state.actionMsg = null;
  }
  for (const key of [previous, id]) {
    const inc = key && state.incidents.get(key);
    if (inc) drawIncident(inc);
  }
  renderQueue();
  renderDetail();
  const inc = state.incidents.get(id);
  if (inc) state.map.panTo(displayLatLng(inc.lng, inc.lat), { animate: false });
  if (focus) $("detail").focus();
  await Promise.all([loadDetail(id), loadRecs(id), loadDuplicates(id)]);
}

async function loadDetail(id) {
  try {
    const detail = await api(`/api/v1/incidents/${id}`, { token: state.session.token });
    if (state.selectedId !== id) return;
    state.detail = detail;
    if (OPEN.has(detail.status)) state.incidents.set(id, detail);
  } catch (err) {
    if (state.selectedId !== id) return;
    state.actionMsg = failure(err);
  }
  renderDetail();
}

async function loadRecs(id) {
  const inc = state.incidents.get(id);
  if (inc && !OPEN.has(inc.status)) return;
  try {
    const recs = await api(`/api/v1/incidents/${id}/recommendations?limit=5`, { token: state.session.token });
    if (state.selectedId !== id) return;
    state.recs = recs;
  } catch (err) {
    if (state.selectedId !== id) return;
    state.recs = [];
    state.actionMsg = failure(err);
  }
  renderDetail();
}

async function dispatchUnit(rec) {
  const id = state.selectedId;
  if (!id) return;
  state.actionMsg = note("pending", "dispatching");
  renderDetail();
  try {
    const inc = await api(`/api/v1/incidents/${id}/dispatch`, {
      method: "POST", body: { unit_ids: [rec.unit_id] }, token: state.session.token,
    });
    upsertIncident(inc);
    state.actionMsg = note("ok", "dispatched_ok", { u: rec.call_sign });
  } catch (err) {
    state.actionMsg = failure(err);
  }
  if (state.selectedId === id) await Promise.all([loadDetail(id), loadRecs(id)]);
}

function section(titleKey, ...content) {
  return el("section", { class: "dsec" }, el("h3", {}, ct(titleKey)), ...content);
}

function renderDetail() {
  const body = $("detail-body");
  const inc = state.detail || state.incidents.get(state.selectedId);
  if (!inc) {
    $("note-box").hidden = true;
    body.replaceChildren(el("div", { class: "card" },
      el("h2", {}, ct("detail_title")), el("p", { class: "muted" }, ct("detail_empty"))));
    return;
  }
  const live = state.incidents.get(inc.id) || inc;
  const clock = clockOf(live);
  const head = el("div", { class: "card dhead", dataset: { status: live.status } },
    el("div", { class: "dtitle" },
      el("span", { class: `prio prio-${live.priority}` }, priorityLabel(live.priority)),
      el("span", { class: "mono dnum", id: "detail-number" }, live.number),
      el("span", { class: `qstatus st-${live.status}`, id: "detail-status" }, statusLabel(live))),
    el("div", { class: "dcat" }, categoryLabel(live)),
    el("dl", { class: "dmeta" },
      el("dt", {}, ct("station")), el("dd", { class: "mono" }, live.station_code),
      el("dt", {}, ct("received")), el("dd", {}, fmtTime(live.received_at)),
      live.address_text ? [el("dt", {}, ct("sg_place")), el("dd", {}, live.address_text)] : null),
    el("div", { class: "dclock", id: "detail-clock", dataset: { level: clock.level } },
      el("span", { class: "muted" }, ct("detail_clock")),
      el("span", { class: "big mono" }, fmtDuration(clock.shown)),
      el("span", { class: "muted small" },
        ct(clock.phase === "dispatch" ? "clock_dispatch" : "clock_arrival", { t: fmtDuration(clock.target) }))));

  const msg = state.actionMsg
    ? el("p", { class: `dmsg dmsg-${state.actionMsg.kind}`, role: "status" }, noteText(state.actionMsg)) : null;

  let recsBody;
  if (state.recs === null) recsBody = el("p", { class: "muted" }, ct("recs_loading"));
  else if (!state.recs.length) recsBody = el("p", { class: "muted" }, ct("recs_none"));
  else {
    recsBody = el("ol", { class: "recs", id: "recs" }, state.recs.map((r) => el("li", {
      class: "rec", dataset: { rank: String(r.rank), unit: r.unit_id },
    },
    el("kbd", { class: "rank" }, String(r.rank)),
    el("div", { class: "rmain" },
      el("div", { class: "rtop" },
        el("span", { class: "rname" }, r.call_sign),
        el("span", { class: "rkind muted" }, ct(`kind_${r.kind}`)),
        el("span", { class: "reta mono" }, ct("eta", { m: fmtNumber(r.eta_s / 60, 1) }))),
      el("div", { class: "rreason" }, en() ? r.reason_en : r.reason_zh)),
    el("button", {
      type: "button", class: "btn btn-small btn-primary rdispatch",
      onclick: () => dispatchUnit(r),
    }, ct("dispatch_btn")))));
  }
  const recs = el("div", { class: "card" },
    el("h2", {}, ct("recs_title"), el("span", { class: "hint muted" }, ct("recs_hint"))), recsBody);

  const extra = [];
  if (state.detail) {
    const d = state.detail;
    extra.push(section("narrative_title", el("p", { class: "narr" }, d.narrative)));
    if (d.units?.length) {
      extra.push(section("assigned_title", el("ul", { class: "assigned" }, d.units.map((u) =>
        el("li", { class: "mono" }, state.units.get(u)?.call_sign || u)))));
    }
    extra.push(section("timeline_title", el("ol", { class: "timeline", id: "timeline" },
      d.timeline.map(timelineRow))));
    extra.push(section("calls_title", el("ul", { class: "calls" }, d.calls.map((c) => el("li", {},
      el("div", { class: "muted small" }, [fmtTime(c.received_at), c.caller_phone_masked].filter(Boolean).join(" · ")),
      el("div", {}, c.narrative))))));
  }
  const more = extra.length ? el("div", { class: "card dmore" }, ...extra) : null;
  const open = OPEN.has(live.status);
  $("note-box").hidden = false;
  // replaceChildren writes a null as the text "null": only real nodes go in.
  body.replaceChildren(...[head, msg, lifecycleCard(live), open ? recs : null,
    open ? duplicatesCard() : null, more].filter(Boolean));
}

// ---- closing the loop: moves, outcomes, and units without a device ----------

/** The moves a dispatcher makes from here (dispatching is the recommendations' job). */
const MOVES = ["en_route", "on_scene", "resolved", "closed", "cancelled", "reopened"];

function lifecycleCard(live) {
  const d = state.detail;
  if (!d || d.id !== live.id) return null;
  const allowed = (d.allowed_transitions || []).filter((m) => MOVES.includes(m));
  const form = state.move && state.move.incidentId === d.id ? moveForm(d) : null;
  const units = OPEN.has(d.status) ? (d.units || []) : [];
  const late = new Map(unackedUnits());
  if (!allowed.length && !units.length) return null;
  return el("div", { class: "card lifecycle", id: "lifecycle" },
    el("h2", {}, ct("lc_title"), d.outcome
      ? el("span", { class: "hint muted", id: "detail-outcome" }, outcomeLabel(d.outcome)) : null),
    el("div", { class: "lc-moves" }, allowed.map((m) => el("button", {
      type: "button", class: `btn btn-small lc-move lc-${m}`, dataset: { move: m },
      onclick: () => startMove(d.id, m),
    }, ct(`lc_${m}`)))),
    form,
    units.length ? el("div", { class: "lc-units" },
      el("div", { class: "muted small" }, ct("lc_units_hint")),
      units.map((u) => el("div", { class: "lc-unit", dataset: { unit: u, unacked: late.has(u) ? "1" : "0" } },
        el("span", { class: "mono" }, state.units.get(u)?.call_sign || u),
        late.has(u) ? el("span", { class: "lc-late" }, ct("lc_unacked", { s: late.get(u) })) : null,
        late.has(u) ? el("button", { type: "button", class: "btn btn-small btn-primary", dataset: { redispatch: u },
          onclick: () => redispatch(d.id, u) }, ct("lc_redispatch")) : null,
        ["acknowledge", "arrive", "clear"].map((a) => el("button", {
          type: "button", class: "btn btn-small", dataset: { unitAction: a },
          onclick: () => unitAction(d.id, u, a),
        }, ct(`lc_unit_${a}`)))))) : null);
}

/**
 * Units of the selected incident sent but not acknowledged (签收) within the
 * deadline: [unitId, seconds waiting]. Their dispatch time is the timeline's
 * assignment row.
 */
function unackedUnits(now = Date.now()) {
  const d = state.detail;
  if (!d || !OPEN.has(d.status)) return [];
  const deadline = (state.config?.ack_deadline_s || 60) * 1000;
  const out = [];
  for (const u of d.units || []) {
    if (state.units.get(u)?.status !== "dispatched") continue;
    const sent = [...(d.timeline || [])].reverse()
      .find((t) => t.unit_id === u && t.from_status === t.to_status);
    const waited = sent ? now - Date.parse(sent.at) : 0;
    if (waited > deadline) out.push([u, Math.round(waited / 1000)]);
  }
  return out;
}

function outcomeLabel(code) {
  const pair = state.outcomes?.[code];
  return pair ? pair[en() ? 1 : 0] : code;
}

/** Resolving asks for an outcome, cancelling for a reason; the rest go at once. */
function startMove(incidentId, to) {
  if (to === "resolved" || to === "cancelled") {
    state.move = { incidentId, to, outcome: "", note: "" };
    renderDetail();
    $("lc-note")?.focus();
    return;
  }
  sendMove(incidentId, { to });
}

function moveForm(d) {
  const m = state.move;
  const resolving = m.to === "resolved";
  const outcome = resolving ? el("select", { id: "lc-outcome", "aria-label": ct("lc_outcome"),
    onchange: (e) => { m.outcome = e.target.value; } },
  el("option", { value: "" }, ct("lc_choose_outcome")),
  Object.keys(state.outcomes || {}).map((code) => el("option", {
    value: code, selected: code === m.outcome }, outcomeLabel(code)))) : null;
  const input = el("input", { type: "text", id: "lc-note", maxlength: "500", value: m.note,
    placeholder: ct(resolving ? "lc_note_placeholder" : "lc_reason_placeholder"),
    "aria-label": ct(resolving ? "lc_note_placeholder" : "lc_reason_placeholder"),
    oninput: (e) => { m.note = e.target.value; },
    onkeydown: (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        submitMove(d.id);
      } else if (e.key === "Escape") {
        state.move = null;
        renderDetail();
      }
    } });
  return el("div", { class: "lc-form", dataset: { move: m.to } }, outcome, input,
    el("button", { type: "button", class: "btn btn-small btn-primary", id: "lc-send",
      onclick: () => submitMove(d.id) }, ct(resolving ? "lc_resolve_send" : "lc_cancel_send")),
    el("button", { type: "button", class: "btn btn-small", onclick: () => {
      state.move = null;
      renderDetail();
    } }, ct("lc_back")));
}

function submitMove(incidentId) {
  const m = state.move;
  if (!m) return;
  if (m.to === "resolved" && !m.outcome) {
    state.actionMsg = note("error", "lc_need_outcome");
    renderDetail();
    return;
  }
  if (m.to === "cancelled" && !m.note.trim()) {
    state.actionMsg = note("error", "lc_need_reason");
    renderDetail();
    return;
  }
  const body = { to: m.to };
  if (m.note.trim()) body.note = m.note.trim();
  if (m.outcome) body.outcome = m.outcome;
  sendMove(incidentId, body);
}

async function sendMove(incidentId, body) {
  try {
    const inc = await api(`/api/v1/incidents/${incidentId}/transitions`, {
      method: "POST", body, token: state.session.token,
    });
    upsertIncident(inc);
    state.move = null;
    state.actionMsg = note("ok", "lc_moved", { s: statusWord(inc.status) });
  } catch (err) {
    state.actionMsg = failure(err);
  }
  if (state.selectedId === incidentId) await loadDetail(incidentId);
  else renderDetail();
}

/** Release a unit that never acknowledged and offer the next-fastest units. */
async function redispatch(incidentId, unitId) {
  await unitAction(incidentId, unitId, "clear");
  state.actionMsg = note("ok", "lc_redispatch_ok", { u: state.units.get(unitId)?.call_sign || unitId });
  if (state.selectedId === incidentId) await loadRecs(incidentId);
}

async function unitAction(incidentId, unitId, action) {
  try {
    await api(`/api/v1/units/${encodeURIComponent(unitId)}/actions`, {
      method: "POST", body: { action, incident_id: incidentId }, token: state.session.token,
    });
    state.actionMsg = note("ok", `lc_unit_${action}_ok`,
      { u: state.units.get(unitId)?.call_sign || unitId });
  } catch (err) {
    state.actionMsg = failure(err);
  }
  if (state.selectedId === incidentId) await loadDetail(incidentId);
}

/**
 * One step of the timeline. A unit sent to an incident already dispatched, and
 * a note, leave the status as it was: they are labelled as what they are.
 */
function timelineRow(tr) {
  const same = tr.from_status === tr.to_status;
  const kind = same ? (tr.unit_id ? "assigned" : "note") : tr.to_status;
  const unit = tr.unit_id ? (state.units.get(tr.unit_id)?.call_sign || tr.unit_id) : null;
  const label = kind === "assigned" ? ct("tl_assigned") : kind === "note" ? ct("tl_note") : statusWord(kind);
  return el("li", { dataset: { kind } },
    el("span", { class: "mono ttime" }, fmtTime(tr.at)),
    el("span", { class: `qstatus st-${kind}` }, label),
    el("span", { class: "muted tactor" }, [tr.actor_name, unit].filter(Boolean).join(" · ")),
    tr.note && kind !== "assigned" ? el("div", { class: "tnote" }, tr.note) : null);
}

async function addNote() {
  const input = $("note-input");
  const id = state.selectedId;
  const text = input.value.trim();
  if (!id || !text) return;
  input.disabled = true;
  try {
    await api(`/api/v1/incidents/${id}/notes`, { method: "POST", body: { text }, token: state.session.token });
    state.actionMsg = note("ok", "note_added");
    input.value = "";
  } catch (err) {
    state.actionMsg = failure(err);
  } finally {
    input.disabled = false;
  }
  renderDetail();
  if (state.selectedId === id) await loadDetail(id);
}

function bindNotes() {
  $("note-input").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      addNote();
    }
  });
  $("note-add").addEventListener("click", addNote);
}

function duplicatesCard() {
  const dups = state.dups;
  if (!dups || !dups.length) return null;
  return el("div", { class: "card dups", id: "dups" },
    el("h2", {}, ct("dups_title"), el("span", { class: "hint muted" }, ct("dups_hint"))),
    el("ul", { class: "duplist" }, dups.map((d) => el("li", { dataset: { incident: d.incident_id } },
      el("div", { class: "dupmain" },
        el("div", {}, el("span", { class: "mono" }, d.number), " ",
          el("span", { class: "muted small" }, ct("dup_apart", {
            m: fmtNumber(d.distance_m, 0), min: fmtNumber(d.minutes_apart, 1),
          }))),
        el("div", { class: "small dupnarr" }, d.narrative)),
      el("button", { type: "button", class: "btn btn-small dupmerge", onclick: () => mergeDuplicate(d) },
        ct("dup_merge"))))));
}

async function loadDuplicates(id) {
  try {
    const dups = await api(`/api/v1/incidents/${id}/duplicates`, { token: state.session.token });
    if (state.selectedId !== id) return;
    state.dups = dups;
  } catch {
    if (state.selectedId !== id) return;
    state.dups = [];
  }
  renderDetail();
}

async function mergeDuplicate(dup) {
  const id = state.selectedId;
  if (!id) return;
  try {
    const inc = await api(`/api/v1/incidents/${id}/merge`, {
      method: "POST", body: { duplicate_id: dup.incident_id }, token: state.session.token,
    });
    upsertIncident(inc);
    removeIncident(dup.incident_id);
    renderQueue();
    state.actionMsg = note("ok", "dup_merged", { n: dup.number });
  } catch (err) {
    state.actionMsg = failure(err);
  }
  if (state.selectedId === id) await Promise.all([loadDetail(id), loadDuplicates(id)]);
}

const STATUS_WORDS = {
  received: ["已接警", "received"], dispatched: ["已派警", "dispatched"],
  en_route: ["出警途中", "en route"], on_scene: ["已到场", "on scene"],
  resolved: ["已处置", "resolved"], closed: ["已结案", "closed"],
  cancelled: ["已撤销", "cancelled"], reopened: ["已重启", "reopened"],
};
const statusWord = (s) => (STATUS_WORDS[s] ? STATUS_WORDS[s][en() ? 1 : 0] : s);

function onDetailKey(e) {
  if (e.ctrlKey || e.altKey || e.metaKey) return;
  if (["INPUT", "TEXTAREA", "SELECT"].includes(e.target.tagName)) return;
  if (e.key === "n" && !$("note-box").hidden) {
    e.preventDefault();
    $("note-input").focus();
    return;
  }
  if (!/^[1-5]$/.test(e.key)) return;
  const rec = state.recs?.find((r) => r.rank === Number(e.key));
  if (!rec) return;
  e.preventDefault();
  dispatchUnit(rec);
}

// ---- live --------------------------------------------------------------------

function renderBanner() {
  renderConnBanner(state.liveState, state.lastEvent);
}

/** An incident changed: read it again (labels and clock come from the API). */
function refetchIncident(id) {
  if (state.refetching.has(id)) {
    state.refetching.set(id, true);
    return;
  }
  state.refetching.set(id, false);
  api(`/api/v1/incidents/${id}`, { token: state.session.token })
    .then((inc) => {
      upsertIncident(inc);
      if (state.selectedId === id) {
        state.detail = inc;
        renderDetail();
      }
    })
    .catch(() => {})
    .finally(() => {
      const again = state.refetching.get(id);
      state.refetching.delete(id);
      if (again) refetchIncident(id);
    });
}

function onUnitEvent(id, p) {
  const unit = state.units.get(id);
  if (!unit) return;
  if (p.status) unit.status = p.status;
  if (p.status === "available") unit.current_incident_id = null;
  else if (p.incident_id) unit.current_incident_id = p.incident_id;
  if (typeof p.lng === "number" && typeof p.lat === "number") {
    unit.lng = p.lng;
    unit.lat = p.lat;
  }
  drawUnit(unit);
  renderUnitCount();
}

function onEvent(event) {
  state.lastEvent = event;
  renderBanner();
  const p = event.payload || {};
  if (event.kind.startsWith("incident.")) {
    const inc = state.incidents.get(event.resource_id);
    if (inc && p.status && !OPEN.has(p.status)) {
      removeIncident(event.resource_id);
      renderQueue();
    } else {
      if (inc && p.status) {
        inc.status = p.status;
        renderQueue();
      }
      refetchIncident(event.resource_id);
    }
    if (state.selectedId === event.resource_id && event.kind !== "incident.breach") {
      loadRecs(event.resource_id);
    }
  } else if (event.kind === "units.moved") {
    for (const pos of p.positions || []) onUnitEvent(pos.id, { lng: pos.lng, lat: pos.lat });
  } else if (event.kind.startsWith("unit.")) {
    onUnitEvent(event.resource_id, p);
    noteEmergency(event.resource_id, p);
  }
}

/** 一键求助: a red banner for every unit in emergency until its emergency ends. */
function noteEmergency(unitId, p) {
  if (p.status === "emergency") {
    state.emergencies.set(unitId, { incidentId: p.incident_id, number: p.number });
  } else if (p.status && state.emergencies.has(unitId)) {
    state.emergencies.delete(unitId);
  } else {
    return;
  }
  renderEmergencies();
}

function renderEmergencies() {
  const banner = $("sos-banner");
  banner.hidden = state.emergencies.size === 0;
  document.body.dataset.emergencies = String(state.emergencies.size);
  banner.replaceChildren(...[...state.emergencies].map(([unitId, e]) => el("div", { class: "sos-row", dataset: { unit: unitId } },
    el("strong", {}, ct("sos_title")),
    el("span", {}, ct("sos_text", { u: state.units.get(unitId)?.call_sign || unitId, n: e.number || "" })),
    e.incidentId ? el("button", { type: "button", class: "btn btn-small", dataset: { sosIncident: e.incidentId },
      onclick: () => select(e.incidentId, { focus: true }) }, ct("sos_open")) : null)));
}

function startLive() {
  state.live = startPageLive({
    token: state.session.token,
    onState: (s) => {
      state.liveState = s;
      renderBanner();
    },
    onEvent,
    retryButton: $("conn-retry"),
  });
}

// ---- start -------------------------------------------------------------------

function renderAll() {
  applyConsoleText();
  document.title = `${t("app_name")} · ${ct("console_title")}`;
  fillCategorySelect();
  renderSuggestions();
  renderQueue();
  renderDetail();
  renderBanner();
  setIntakeMsg(state.intakeMsg);
}

function bindIntake() {
  const area = $("narrative");
  area.addEventListener("input", scheduleParse);
  area.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      createIncident();
    }
  });
  $("create").addEventListener("click", createIncident);
  $("sub-select").addEventListener("change", (e) => {
    state.intake.touchedCategory = true;
    const sub = state.subs.get(e.target.value);
    if (sub && !state.intake.touchedPriority) $("priority-select").value = String(sub.sub.priority);
  });
  $("priority-select").addEventListener("change", () => { state.intake.touchedPriority = true; });
  $("detail").addEventListener("keydown", onDetailKey);
  bindNotes();
}

async function main() {
  state.session = loadSession();
  if (!state.session) {
    goToLogin();
    return;
  }
  applyI18n();
  applyConsoleText();
  mountLangToggle($("lang-toggle"));
  const token = state.session.token;
  let districts;
  let incidents;
  let units;
  try {
    [state.me, state.config, districts, state.stations, state.circles, state.categories, incidents, units,
      state.outcomes] = await Promise.all([
      api("/api/v1/auth/me", { token }),
      api("/api/v1/ui/config", { token }),
      api("/api/v1/geo/districts", { token }),
      api("/api/v1/geo/stations", { token }),
      api("/api/v1/response-circles", { token }),
      api("/api/v1/incident-categories", { token }),
      api("/api/v1/incidents?open_only=true&limit=500", { token }),
      api("/api/v1/units?limit=5000", { token }),
      api("/api/v1/incident-outcomes", { token }),
    ]);
  } catch (err) {
    document.body.classList.remove("is-pending");
    if (err.status === 401) return;
    $("map-error").hidden = false;
    $("map-error").textContent = ct("load_error", { msg: err instanceof ApiError ? err.text() : String(err) });
    return;
  }
  document.body.classList.remove("is-pending");
  if (state.config.tile_crs === "GCJ02") {
    state.toDisplay = wgs84ToGcj02;
    state.toWgs = gcj02ToWgs84;
  }
  for (const cat of state.categories) {
    for (const sub of cat.subcategories) state.subs.set(sub.code, { cat, sub });
  }
  const user = state.me.user;
  $("user-name").textContent = user.display_name || user.username;
  state.map = createMap(districts);
  for (const u of units) {
    state.units.set(u.id, u);
    drawUnit(u);
    // Already in emergency when the page opened: the banner names the unit.
    if (u.status === "emergency") state.emergencies.set(u.id, { incidentId: null, number: null });
  }
  renderEmergencies();
  for (const inc of incidents) {
    state.incidents.set(inc.id, inc);
    drawIncident(inc);
  }
  bindIntake();
  $("logout").addEventListener("click", () => logout(state.session, state.live));
  onLangChange(renderAll);
  renderAll();
  startLive();
  setInterval(tickClocks, 1000);
  document.body.dataset.consoleReady = "1";
}

// A small handle for operators and the browser tests.
window.yanyunConsole = {
  get map() { return state.map; },
  unit: (id) => {
    const u = state.units.get(id);
    const m = state.unitMarkers.get(id);
    return u ? { status: u.status, fill: m?.options.fillColor, lng: u.lng, lat: u.lat } : null;
  },
  incidents: () => sortedIncidents().map((i) => ({ id: i.id, number: i.number, status: i.status })),
  selected: () => state.selectedId,
  intake: () => ({ location: state.intake.location, source: state.intake.locSource }),
  live: () => ({ ...state.liveState, lastId: state.live?.lastId ?? 0 }),
  lastEvent: () => state.lastEvent,
};

main();
