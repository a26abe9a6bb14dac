// The station roster: the crew of each unit on the current shift, officers on duty, assign
// and stand down.

import { api } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { fmtNumber } from "../../lib/i18n.js";
import { $, call, dt, errText, fmtClock, fmtDateTime, state, toast } from "./state.js";

export function currentShift() {
  return state.roster?.shifts.find((s) => s.current) || null;
}

export function crewOf(unitId) {
  const shift = currentShift();
  if (!shift) return [];
  return shift.entries.filter((e) => e.unit_id === unitId && e.attendance !== "absent" && !e.on_leave);
}

export function person(entry) {
  const cls = `person ${entry.officer_kind}${entry.on_leave ? " leave" : ""}`;
  const tip = `${entry.rank}${entry.on_leave ? ` · ${dt("on_leave")}` : ""}`;
  return el("span", { class: cls, title: tip, "data-officer": entry.officer_id, text: entry.officer_name_zh });
}

export function statusBadge(status) {
  const cls = status === "available" ? "ok" : status === "out_of_service" ? "bad" : "warn";
  return el("span", { class: `badge ${cls}`, text: dt(`unit_${status}`) });
}

export function renderRoster() {
  const r = state.roster;
  if (!r) return;
  const strength = state.strengths.find((s) => s.station_code === r.station_code);
  $("n-police").textContent = strength ? fmtNumber(strength.police) : "–";
  $("n-aux").textContent = strength ? fmtNumber(strength.auxiliary) : "–";
  const units = [...state.units.values()].filter((u) => u.station_code === r.station_code)
    .sort((a, b) => a.id.localeCompare(b.id));
  const shift = currentShift();
  $("shift-now").textContent = shift
    ? dt("shift_now", { name: dt(`shift_${shift.name}`), from: fmtClock(shift.starts_at), to: fmtClock(shift.ends_at) })
    : "";
  const reserve = shift ? shift.entries.filter((e) => !e.unit_id && !e.on_leave && e.attendance !== "absent") : [];
  let crewed = 0;
  const body = $("units-table").querySelector("tbody");
  body.replaceChildren(...units.map((u) => {
    const crew = crewOf(u.id);
    if (crew.length) crewed += 1;
    const select = el("select", { "aria-label": dt("pick_reserve"), "data-reserve-for": u.id },
      reserve.length
        ? reserve.map((e) => el("option", { value: e.id, text: `${e.officer_name_zh}（${dt(e.officer_kind)}）` }))
        : [el("option", { value: "", text: dt("no_reserve") })]);
    return el("tr", { "data-unit": u.id, "data-status": u.status, "data-crew": String(crew.length) }, [
      el("td", { class: "mono", text: u.call_sign }),
      el("td", { text: dt(`kind_${u.kind}`) }),
      el("td", {}, statusBadge(u.status)),
      el("td", {}, crew.length ? el("div", { class: "crew" }, crew.map(person))
        : el("span", { class: "badge muted", text: dt("no_crew") })),
      el("td", {}, el("div", { class: "act" }, [
        select,
        el("button", { type: "button", class: "btn btn-small", "data-assign": u.id, text: dt("assign"),
          disabled: !reserve.length, onclick: () => assign(u.id, select.value) }),
        el("button", { type: "button", class: "btn btn-small", "data-stand-down": u.id, text: dt("stand_down"),
          disabled: !crew.length, onclick: () => standDown(u.id) }),
      ])),
    ]);
  }));
  $("n-crewed").textContent = fmtNumber(crewed);
  $("n-uncrewed").textContent = fmtNumber(units.length - crewed);
  $("shifts").replaceChildren(...r.shifts.map((s) => el("div", { class: "shift", "data-shift": s.id }, [
    el("h3", {}, [
      el("span", { text: `${dt(`shift_${s.name}`)} · ${dt("team", { t: s.team })}` }),
      el("span", { class: "muted", text: `${fmtDateTime(s.starts_at)}–${fmtClock(s.ends_at)}` }),
      s.current ? el("span", { class: "badge ok", text: dt("on_now") }) : null,
    ]),
    el("div", { class: "crew" }, s.entries.map((e) => {
      const node = person(e);
      const unit = e.unit_id ? state.units.get(e.unit_id)?.call_sign || e.unit_id : dt("reserve");
      node.textContent = `${e.officer_name_zh} · ${unit}`;
      return node;
    })),
  ])));
}

export async function loadRoster() {
  const code = state.station;
  const [roster, units, officers] = await Promise.all([
    call(`/api/v1/duty/stations/${encodeURIComponent(code)}/roster`),
    call("/api/v1/units?limit=5000"),
    call(`/api/v1/duty/officers?station_code=${encodeURIComponent(code)}&limit=200`),
  ]);
  state.roster = roster;
  state.units = new Map(units.map((u) => [u.id, u]));
  state.officerList = officers.items;
  renderRoster();
  renderOfficers();
}

export function renderOfficers() {
  const rows = state.officerList || [];
  $("officers-table").querySelector("tbody").replaceChildren(...rows.map((o) => {
    const phone = el("span", { class: "mono", "data-phone": o.id, text: state.revealed?.[o.id] || o.phone_masked || "" });
    return el("tr", { "data-officer": o.id }, [
      el("td", { class: "mono", text: o.badge_no }),
      el("td", { text: o.name_zh }),
      el("td", { text: dt(o.kind) }),
      el("td", { text: o.rank }),
      el("td", { text: o.skills.map((k) => dt(`skill_${k}`)).join("、") }),
      el("td", { text: o.certifications.join("、") }),
      el("td", { text: dt("team", { t: o.team }) }),
      el("td", {}, el("div", { class: "act" }, [phone,
        el("button", { type: "button", class: "btn btn-small", "data-reveal": o.id, text: dt("reveal"),
          onclick: () => reveal(o.id) })])),
    ]);
  }));
}

export async function reveal(id) {
  $("contact-error").textContent = "";
  const params = new URLSearchParams({ case_number: $("case-number").value.trim(), purpose: $("purpose").value.trim() });
  try {
    const c = await call(`/api/v1/duty/officers/${id}/contact?${params}`);
    state.revealed = { ...(state.revealed || {}), [id]: c.phone };
    renderOfficers();
  } catch (err) {
    $("contact-error").textContent = errText(err);
  }
}

export function scheduleRosterReload() {
  if (state.reloadTimer) return;
  state.reloadTimer = setTimeout(() => {
    state.reloadTimer = null;
    if (state.tab === "roster") loadRoster().catch(() => {});
  }, 400);
}

export async function assign(unitId, entryId) {
  if (!entryId) return;
  try {
    await call(`/api/v1/duty/entries/${entryId}`, { method: "PATCH", body: { unit_id: unitId } });
    await loadRoster();
  } catch (err) {
    toast(errText(err));
  }
}

export async function standDown(unitId) {
  try {
    for (const e of crewOf(unitId)) {
      await call(`/api/v1/duty/entries/${e.id}`, { method: "PATCH", body: { unit_id: null } });
    }
    await loadRoster();
  } catch (err) {
    toast(errText(err));
  }
}
