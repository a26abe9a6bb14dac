// The opinion events page: events ranked by heat, each with its map point,
// hourly timeline, posts, linked incidents and handling log. Reads
// /api/v1/opinion/* (the JSON twin of this page).

import { api, goToLogin, loadSession } from "../lib/api.js";
import { applyI18n, fmtNumber, getLang, mountLangToggle, onLangChange, pick } from "../lib/i18n.js";
import { el, textOf } from "../lib/dom.js";
import { logout } from "../lib/page.js";
import "../lib/leaflet-text.js";
import { TEXT } from "../text/opinion.js";

const o = (key) => (TEXT[key] ? TEXT[key][getLang() === "en" ? 1 : 0] : key);

const state = { session: null, events: [], selected: null, detail: null, map: null, layer: null, officers: [] };
const $ = (id) => document.getElementById(id);

const fmtTime = (iso) =>
  new Date(iso).toLocaleString(getLang() === "en" ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });

function applyText() {
  for (const node of document.querySelectorAll("[data-o]")) node.textContent = o(node.dataset.o);
  document.title = `${getLang() === "en" ? "yanyun" : "雁云"} · ${o("title")}`;
}

function showError(err) {
  const box = $("op-error");
  box.hidden = false;
  box.textContent = err?.describe ? err.describe() : String(err);
}

async function loadEvents() {
  const page = await api("/api/v1/opinion/events?limit=100", { token: state.session.token });
  state.events = page.items;
  const active = page.items.filter((e) => e.status !== "closed");
  $("sum-active").textContent = fmtNumber(active.length);
  $("sum-hot").textContent = fmtNumber(active.filter((e) => e.heat_level >= 2).length);
  $("sum-unverified").textContent = fmtNumber(active.filter((e) => e.unverified_claim).length);
  renderList();
  drawMarkers();
  if (!state.selected && state.events.length) {
    // A link from the inbox (/opinion#<event id>) opens that event; else the hottest.
    const wanted = location.hash.slice(1);
    const linked = /^[0-9A-Za-z]{26}$/.test(wanted) ? wanted : null;
    try {
      await select(linked ?? state.events[0].id);
    } catch (err) {
      if (!linked) throw err;
      await select(state.events[0].id);  // gone or outside the reader's scope
    }
  }
}

function renderList() {
  const list = $("events");
  list.replaceChildren();
  if (!state.events.length) list.append(el("li", { class: "muted" }, o("empty")));
  state.events.forEach((e, i) => {
    list.append(
      el("li", {
        class: "ev", "data-id": e.id, "data-rank": i + 1, tabindex: "0",
        "aria-selected": String(e.id === state.selected),
        onclick: () => select(e.id),
        onkeydown: (ev) => { if (ev.key === "Enter") select(e.id); },
      },
      el("div", { class: "ev-title" }, `${i + 1}. ${e.title}`),
      el("div", { class: "ev-meta" },
        el("span", { class: `heat heat-${e.heat_level}` }, `${o(`level_${e.heat_level}`)} ${fmtNumber(e.heat, 1)}`),
        el("span", {}, `${e.volume} ${o("volume")}`),
        el("span", {}, `${fmtNumber(e.velocity_per_h, 1)} ${o("velocity")}`),
        el("span", {}, `${o("reach")} ${fmtNumber(e.reach)}`),
        el("span", {}, (e.places || []).slice(0, 2).join("、")),
        el("span", {}, o(`status_${e.status}`)),
        e.unverified_claim ? el("span", { class: "flag" }, `⚠ ${o("unverified")}`) : null)));
  });
}

function initMap() {
  state.map = L.map("op-map", { zoomControl: true, attributionControl: false }).setView([26.9, 112.6], 9);
  api("/api/v1/geo/districts", { token: state.session.token }).then((geo) => {
    L.geoJSON(geo, { style: { color: "#9cc2e6", weight: 1, fillColor: "#1b2c42", fillOpacity: 0.6 } }).addTo(state.map);
  }).catch(showError);
  state.layer = L.layerGroup().addTo(state.map);
}

const HEAT_COLOURS = ["#8fa1b5", "#4ea1f3", "#e3a63b", "#ec6a5e"];

function drawMarkers() {
  state.layer.clearLayers();
  for (const e of state.events) {
    if (e.lng == null || e.lat == null) continue;
    L.circleMarker([e.lat, e.lng], {
      radius: 6 + 2 * e.heat_level, color: "#fff", weight: e.id === state.selected ? 3 : 1,
      fillColor: HEAT_COLOURS[e.heat_level], fillOpacity: 0.9,
    }).bindTooltip(textOf(e.title)).on("click", () => select(e.id)).addTo(state.layer);
  }
}

async function select(id) {
  state.selected = id;
  renderList();
  document.querySelector(`#events li[data-id="${CSS.escape(id)}"]`)?.scrollIntoView({ block: "nearest" });
  state.detail = await api(`/api/v1/opinion/events/${id}`, { token: state.session.token });
  renderDetail();
  drawMarkers();
  const d = state.detail;
  if (d.lat != null) state.map.setView([d.lat, d.lng], 12, { animate: false });
}

function renderTimeline(d) {
  const box = $("timeline");
  box.replaceChildren();
  const max = Math.max(1, ...d.timeline.map((b) => b.posts));
  for (const b of d.timeline) {
    const hour = new Date(b.hour).toLocaleTimeString(getLang() === "en" ? "en-GB" : "zh-CN", {
      timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit",
    });
    box.append(el("div", { class: "bar", title: `${fmtTime(b.hour)}: ${b.posts}`, style: `height:${(100 * b.posts) / max}%` },
      el("span", {}, b.posts), el("em", {}, hour)));
  }
}

function renderDetail() {
  const d = state.detail;
  renderTimeline(d);
  const body = $("detail");
  const canHandle = d.status !== "closed" && state.officers.length > 0;
  const note = el("textarea", { id: "handle-note", rows: "2", placeholder: o("note_ph") });
  const act = (path, payload) => async () => {
    try {
      state.detail = await api(`/api/v1/opinion/events/${d.id}/${path}`, {
        method: "POST", token: state.session.token, body: payload(),
      });
      await loadEvents();
      renderDetail();
    } catch (err) { showError(err); }
  };
  const text = () => note.value.trim() || o("note_ph");
  body.replaceChildren(
    el("h3", { id: "detail-title" }, d.title, " ",
      el("span", { class: `heat heat-${d.heat_level}`, id: "detail-heat" }, `${o(`level_${d.heat_level}`)} ${fmtNumber(d.heat, 1)}`),
      d.unverified_claim ? el("span", { class: "flag", id: "detail-flag" }, ` ⚠ ${o("unverified")}`) : null),
    el("div", {},
      el("h3", {}, `${o("posts")} (${d.stories.length} · ${d.groups} ${o("groups")})`),
      el("ol", { class: "stories", id: "stories" }, d.stories.map((s) =>
        el("li", { "data-group": s.group_id },
          el("div", {}, s.excerpt),
          el("div", { class: "story-src" }, `${s.source} · ${fmtTime(s.published_at)} · ${(s.places || []).join("、")} · ${(s.keywords || []).slice(0, 4).join(" ")}`))))),
    el("div", {},
      el("h3", {}, o("incidents")),
      el("ul", { class: "incidents", id: "incidents" },
        d.incidents.length ? d.incidents.map((i) => el("li", {}, `${i.number || i.id} · ${fmtTime(i.received_at)}`))
          : el("li", { class: "muted" }, o("no_incidents"))),
      el("h3", {}, `${o("log")} · ${o(`status_${d.status}`)}`),
      el("ol", { class: "log", id: "log" }, d.actions.map((a) =>
        el("li", { "data-kind": a.kind }, `${fmtTime(a.at)} ${o(`k_${a.kind}`)} ${a.actor_name || ""} ${a.note || ""}`))),
      canHandle ? el("div", { class: "handle" }, note,
        el("div", { class: "row" },
          el("button", { class: "btn btn-small", id: "btn-assign", onclick: act("assign", () => ({ officer_id: state.officers[0].id, note: note.value.trim() || null })) }, o("assign")),
          el("button", { class: "btn btn-small", id: "btn-verify", onclick: act("actions", () => ({ kind: "verify", note: text() })) }, o("verify")),
          el("button", { class: "btn btn-small", id: "btn-clarify", onclick: act("actions", () => ({ kind: "clarify", note: text() })) }, o("clarify")),
          el("button", { class: "btn btn-small btn-primary", id: "btn-close", onclick: act("close", () => ({ note: text() })) }, o("close")))) : null));
}

async function main() {
  state.session = loadSession();
  if (!state.session) { goToLogin(); return; }
  applyI18n();
  applyText();
  mountLangToggle($("lang-toggle"));
  onLangChange(() => { applyText(); renderList(); if (state.detail) renderDetail(); });
  $("user-name").textContent = state.session.user?.display_name || "";
  $("logout").addEventListener("click", () => logout(state.session, null));
  initMap();
  try {
    // Only those who handle events (opinion:write) assign them: a reader is not refused for asking.
    const me = await api("/api/v1/auth/me", { token: state.session.token });
    state.officers = me.permissions.includes("opinion:write")
      ? await api("/api/v1/opinion/officers", { token: state.session.token })
      : [];
  } catch {
    state.officers = [];
  }
  try {
    await loadEvents();
  } catch (err) { showError(err); }
  window.addEventListener("hashchange", () => {
    const wanted = location.hash.slice(1);
    if (/^[0-9A-Za-z]{26}$/.test(wanted) && wanted !== state.selected) {
      select(wanted).catch(showError);
    }
  });
  document.body.dataset.opinionReady = "1";
  window.yanyunOpinion = { state, select, pick };
}

main();
