// Call intake: the narrative parsed as it is typed, the place picked on the map, Ctrl+Enter
// opens the incident.

import { api } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { fmtTime } from "../../lib/page.js";
import { ct } from "../../text/console.js";
import { select } from "./detail.js";
import { upsertIncident } from "./map-layer.js";
import {
  $,
  displayLatLng,
  en,
  failure,
  L,
  note,
  noteText,
  PARSE_DEBOUNCE_MS,
  priorityLabel,
  state,
} from "./state.js";

export function fillCategorySelect() {
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

export function setLocation(loc, source) {
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

export function clearLocation() {
  state.intake.location = null;
  state.intake.locSource = null;
  if (state.pickMarker) state.map.removeLayer(state.pickMarker);
  state.pickMarker = null;
}

export function chip(kind, value, source, extra = {}) {
  return el("div", { class: `sg sg-${kind}`, dataset: { kind } },
    el("span", { class: "sg-key" }, ct(`sg_${kind}`)),
    el("span", { class: `sg-val${value ? "" : " muted"}`, id: `sg-${kind}` }, value || ct("sg_none")),
    source ? el("span", { class: "sg-src" }, source) : null,
    extra.conf !== undefined ? el("span", { class: "sg-conf mono" }, `${Math.round(extra.conf * 100)}%`) : null);
}

export function renderSuggestions() {
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

export function scheduleParse() {
  clearTimeout(state.parseTimer);
  state.parseTimer = setTimeout(parseNow, PARSE_DEBOUNCE_MS);
}

export async function parseNow() {
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
export function setIntakeMsg(m) {
  state.intakeMsg = m;
  const box = $("intake-msg");
  box.textContent = noteText(m);
  box.dataset.kind = m?.kind || "";
}

export function resetIntake() {
  $("narrative").value = "";
  $("sub-select").value = "";
  $("priority-select").value = "";
  state.intake.suggestions = null;
  state.intake.touchedCategory = false;
  state.intake.touchedPriority = false;
  clearLocation();
  renderSuggestions();
}

export async function createIncident() {
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
