// Keys in the detail panel: 1-5 dispatch the recommended unit of that rank, N opens the note box.

import { dispatchUnit } from "./detail.js";
import { $, state } from "./state.js";

export function onDetailKey(e) {
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
