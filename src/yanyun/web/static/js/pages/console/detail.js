// The selected incident: its clock, recommended units with 派警, narrative, timeline and calls.

import { api } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { fmtNumber } from "../../lib/i18n.js";
import { fmtTime } from "../../lib/page.js";
import { fmtDuration } from "../../lib/response-clock.js";
import { ct } from "../../text/console.js";
import { caseCard, loadCases } from "./case-link.js";
import { duplicatesCard, loadDuplicates } from "./duplicates.js";
import { lifecycleCard } from "./lifecycle.js";
import { drawIncident, upsertIncident } from "./map-layer.js";
import { timelineRow } from "./notes.js";
import { renderQueue } from "./queue.js";
import {
  $,
  categoryLabel,
  clockOf,
  displayLatLng,
  en,
  failure,
  note,
  noteText,
  OPEN,
  priorityLabel,
  state,
  statusLabel,
} from "./state.js";

export async function select(id, { focus = false } = {}) {
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
  await Promise.all([loadDetail(id), loadRecs(id), loadDuplicates(id), loadCases(id)]);
}

export async function loadDetail(id) {
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

export async function loadRecs(id) {
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

export async function dispatchUnit(rec) {
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

export function section(titleKey, ...content) {
  return el("section", { class: "dsec" }, el("h3", {}, ct(titleKey)), ...content);
}

export function renderDetail() {
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
    open ? duplicatesCard() : null, caseCard(live), more].filter(Boolean));
}
