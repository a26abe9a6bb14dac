// Closing the loop: moves with outcomes and reasons, units without a device, re-dispatch of
// unacknowledged units.

import { api } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { t } from "../../lib/i18n.js";
import { ct } from "../../text/console.js";
import { loadDetail, loadRecs, renderDetail } from "./detail.js";
import { upsertIncident } from "./map-layer.js";
import { statusWord } from "./notes.js";
import { $, en, failure, note, OPEN, state } from "./state.js";

/** The moves a dispatcher makes from here (dispatching is the recommendations' job). */
export const MOVES = ["en_route", "on_scene", "resolved", "closed", "cancelled", "reopened"];

export function lifecycleCard(live) {
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
export function unackedUnits(now = Date.now()) {
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

export function outcomeLabel(code) {
  const pair = state.outcomes?.[code];
  return pair ? pair[en() ? 1 : 0] : code;
}

/** Resolving asks for an outcome, cancelling for a reason; the rest go at once. */
export function startMove(incidentId, to) {
  if (to === "resolved" || to === "cancelled") {
    state.move = { incidentId, to, outcome: "", note: "" };
    renderDetail();
    $("lc-note")?.focus();
    return;
  }
  sendMove(incidentId, { to });
}

export function moveForm(d) {
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

export function submitMove(incidentId) {
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

export async function sendMove(incidentId, body) {
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
export async function redispatch(incidentId, unitId) {
  await unitAction(incidentId, unitId, "clear");
  state.actionMsg = note("ok", "lc_redispatch_ok", { u: state.units.get(unitId)?.call_sign || unitId });
  if (state.selectedId === incidentId) await loadRecs(incidentId);
}

export async function unitAction(incidentId, unitId, action) {
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
