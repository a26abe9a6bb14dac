// The queue of open incidents, most urgent first, with 1-3-5 clocks that tick every second.

import { el } from "../../lib/dom.js";
import { fmtNumber } from "../../lib/i18n.js";
import { fmtDuration } from "../../lib/response-clock.js";
import { ct } from "../../text/console.js";
import { renderDetail, select } from "./detail.js";
import { unackedUnits } from "./lifecycle.js";
import { $, categoryLabel, clockOf, priorityLabel, state, statusLabel } from "./state.js";

export function sortedIncidents() {
  return [...state.incidents.values()].sort((a, b) => a.priority - b.priority ||
    Date.parse(b.received_at) - Date.parse(a.received_at));
}

export function renderQueue() {
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

export function renderUnitCount() {
  let n = 0;
  for (const u of state.units.values()) if (u.status === "available") n += 1;
  $("sum-available").textContent = fmtNumber(n);
}

/** Every second: only the clocks change, so only they are rewritten. */
export function tickClocks() {
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
