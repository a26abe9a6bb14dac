// 开案: open a case from the selected incident (its place, time and narrative go along,
// and the incident is linked), or go to the cases already opened from it.

import { api } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { ct } from "../../text/console.js";
import { renderDetail } from "./detail.js";
import { failure, note, state } from "./state.js";

// Traffic incidents (category 30xx) become traffic cases; the rest criminal ones to start.
const kindOf = (inc) => (String(inc.category_code || "").startsWith("30") ? "traffic" : "criminal");

/** The cases grown from an incident, for its card (none if the user may not read cases). */
export async function loadCases(id) {
  try {
    const rows = await api(`/api/v1/cases?incident_id=${encodeURIComponent(id)}`, {
      token: state.session.token,
    });
    state.casesOf.set(id, rows);
  } catch {
    state.casesOf.set(id, null);
  }
  if (state.selectedId === id) renderDetail();
}

async function openCase(inc) {
  state.actionMsg = note("pending", "case_opening");
  renderDetail();
  try {
    const made = await api("/api/v1/cases", {
      method: "POST", body: { kind: kindOf(inc), incident_id: inc.id }, token: state.session.token,
    });
    state.casesOf.set(inc.id, [made, ...(state.casesOf.get(inc.id) || [])]);
    state.actionMsg = note("ok", "case_opened", { n: made.number });
  } catch (err) {
    state.actionMsg = failure(err);
  }
  if (state.selectedId === inc.id) renderDetail();
}

/** The card: links to the incident's cases and the 开案 button. */
export function caseCard(inc) {
  const cases = state.casesOf.get(inc.id);
  if (cases === null) return null;
  return el("div", { class: "card dcases", id: "case-card" },
    el("h2", {}, ct("case_title")),
    el("ul", { class: "case-links" }, (cases || []).map((c) => el("li", {},
      el("a", { href: `/cases/${encodeURIComponent(c.id)}`, class: "mono", dataset: { caseId: c.id } },
        c.number), " ", c.title))),
    el("button", {
      type: "button", class: "btn btn-small", id: "open-case", onclick: () => openCase(inc),
    }, ct("case_open_btn")));
}
