// The timeline's rows and the note box, kept outside the re-drawn detail so typing survives
// live updates.

import { api } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { fmtTime } from "../../lib/page.js";
import { ct, STATUS_WORDS } from "../../text/console.js";
import { loadDetail, renderDetail } from "./detail.js";
import { $, en, failure, note, state } from "./state.js";

/**
 * One step of the timeline. A unit sent to an incident already dispatched, and
 * a note, leave the status as it was: they are labelled as what they are.
 */
export function timelineRow(tr) {
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

export async function addNote() {
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

export function bindNotes() {
  $("note-input").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      addNote();
    }
  });
  $("note-add").addEventListener("click", addNote);
}

export const statusWord = (s) => (STATUS_WORDS[s] ? STATUS_WORDS[s][en() ? 1 : 0] : s);
