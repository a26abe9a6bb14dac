// 一键求助 on the wall: a red banner for every unit whose crew pressed for help, from
// the first unit.emergency event until the unit's next status. The wall keeps no unit
// list, so the event names the call sign; a unit already in emergency when the page
// opened is shown by its id until its next event.

import { el } from "../../lib/dom.js";
import { $, state, wt } from "./state.js";

export function noteUnit(unitId, p) {
  if (p.status === "emergency") {
    state.emergencies.set(unitId, { callSign: p.call_sign || null, number: p.number || "" });
  } else if (p.status && state.emergencies.has(unitId)) {
    state.emergencies.delete(unitId);
  } else {
    return;
  }
  renderEmergencies();
}

/** Units already in emergency when the day was loaded. */
export function seedEmergencies() {
  for (const [unitId, status] of state.unitStatus) {
    if (status === "emergency" && !state.emergencies.has(unitId)) {
      state.emergencies.set(unitId, { callSign: null, number: "" });
    }
  }
  renderEmergencies();
}

export function renderEmergencies() {
  const banner = $("sos-banner");
  banner.hidden = state.emergencies.size === 0;
  document.body.dataset.emergencies = String(state.emergencies.size);
  banner.replaceChildren(...[...state.emergencies].map(([unitId, e]) => el("div", { class: "sos-row", dataset: { unit: unitId } },
    el("strong", {}, wt("sos_title")),
    el("span", {}, wt("sos_text", { u: e.callSign || unitId, n: e.number })))));
}
