// Possible duplicates of the selected incident and merging one into it.

import { api } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { fmtNumber } from "../../lib/i18n.js";
import { ct } from "../../text/console.js";
import { loadDetail, renderDetail } from "./detail.js";
import { removeIncident, upsertIncident } from "./map-layer.js";
import { renderQueue } from "./queue.js";
import { $, failure, note, state } from "./state.js";

export function duplicatesCard() {
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

export async function loadDuplicates(id) {
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

export async function mergeDuplicate(dup) {
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
