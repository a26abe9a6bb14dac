// Duty levels (勤务等级): raising a level for areas with its staffing requirements, the
// shortfall, cancelled leave.

import { api } from "../../lib/api.js";
import { el } from "../../lib/dom.js";
import { fmtNumber } from "../../lib/i18n.js";
import { $, call, dt, en, errText, fmtDateTime, state, toast } from "./state.js";

export function localInput(date) {
  const s = date.toLocaleString("sv-SE", { timeZone: "Asia/Shanghai" });
  return s.slice(0, 16).replace(" ", "T");
}

export function fromLocalInput(value) {
  return new Date(`${value}:00+08:00`).toISOString();
}

export function renderAreas() {
  const groups = [["district", dt("districts")], ["station", dt("stations")]];
  $("level-area").replaceChildren(...groups.map(([kind, label]) => el("optgroup", { label },
    state.areas.filter((a) => a.kind === kind).map((a) => el("option", {
      value: `${a.kind}:${a.code}`, text: en() ? a.name_en : a.name_zh,
    })))));
}

export function levelCard(lv) {
  const leaveList = lv.cancel_leave
    ? (lv.leave_to_cancel.length
      ? el("ul", { class: "leave-list" }, lv.leave_to_cancel.map((l) => el("li", {},
        `${l.officer_name_zh} · ${fmtDateTime(l.starts_at)}–${fmtDateTime(l.ends_at)}`)))
      : el("p", { class: "muted", text: dt("leave_none") }))
    : el("p", { class: "muted", text: dt("leave_not_needed") });
  return el("section", { class: "panel level-card", "data-level-id": lv.id, "data-level": lv.level }, [
    el("div", { class: "level-head" }, [
      el("div", { class: "level-name", text: lv.area_name_zh }),
      el("div", { class: "level-tag", text: en() ? lv.label_en : lv.label_zh }),
      el("div", { class: "muted", text: `${fmtDateTime(lv.starts_at)} – ${fmtDateTime(lv.ends_at)}` }),
      el("p", { text: lv.reason }),
      el("dl", { class: "chips" }, [
        el("div", { class: "chip" }, [el("dt", { text: dt("strength") }), el("dd", { text: fmtNumber(lv.strength) })]),
        el("div", { class: "chip" }, [el("dt", { text: dt("required") }), el("dd", { text: fmtNumber(lv.required_per_shift) })]),
      ]),
      el("div", { class: "muted", text: dt("shortfall") }),
      el("div", { class: `shortfall${lv.shortfall ? "" : " zero"}`, "data-shortfall": String(lv.shortfall),
        text: fmtNumber(lv.shortfall) }),
    ]),
    el("div", {}, [el("table", { class: "grid-table" }, [
      el("thead", {}, el("tr", {}, [dt("col_shift"), dt("rostered"), dt("on_leave"), dt("required"), dt("shortfall")]
        .map((h) => el("th", { text: h })))),
      el("tbody", {}, lv.shifts.map((s) => el("tr", {}, [
        el("td", { text: `${dt(`shift_${s.name}`)} ${fmtDateTime(s.starts_at)}` }),
        el("td", { text: fmtNumber(s.rostered) }),
        el("td", { text: fmtNumber(s.on_leave) }),
        el("td", { text: fmtNumber(s.required) }),
        el("td", {}, el("span", { class: `badge ${s.shortfall ? "bad" : "ok"}`, text: fmtNumber(s.shortfall) })),
      ]))),
    ]), requirementTable(lv)]),
    el("div", {}, [
      el("h2", { text: dt("leave_title", { n: lv.leave_to_cancel.length }) }),
      leaveList,
      lv.cancel_leave && lv.leave_to_cancel.length
        ? el("button", { type: "button", class: "btn btn-primary", "data-cancel-leave": lv.id,
          text: dt("cancel_leave"), onclick: () => cancelLeave(lv.id) })
        : null,
    ]),
  ]);
}

export function requirementTable(lv) {
  if (!lv.requirements.length) return el("p", { class: "muted req-table", text: dt("req_none") });
  return el("table", { class: "grid-table req-table", "data-requirements": lv.id }, [
    el("thead", {}, el("tr", {}, [dt("req_col"), dt("required"), dt("req_available"), dt("shortfall")]
      .map((h) => el("th", { text: h })))),
    el("tbody", {}, lv.requirements.map((r) => el("tr", {
      "data-requirement": `${r.kind}:${r.code}`, "data-shortfall": String(r.shortfall),
    }, [
      el("td", { text: `${dt(`req_kind_${r.kind}`)} · ${en() ? r.label_en : r.label_zh}` }),
      el("td", { text: fmtNumber(r.required) }),
      el("td", { text: fmtNumber(r.available_min) }),
      el("td", {}, el("span", { class: `badge ${r.shortfall ? "bad" : "ok"}`, text: fmtNumber(r.shortfall) })),
    ]))),
  ]);
}

export function requirementOptions() {
  const options = state.requirementCatalogue?.options || [];
  return ["skill", "certification", "post"].map((kind) => el("optgroup", { label: dt(`req_kind_${kind}`) },
    options.filter((o) => o.kind === kind).map((o) => el("option", {
      value: `${o.kind}:${o.code}`, text: en() ? o.label_en : o.label_zh,
    }))));
}

export function addRequirementRow() {
  const row = el("div", { class: "req-row", "data-req-row": "" }, [
    el("select", { class: "req-code", "aria-label": dt("req_col") }, requirementOptions()),
    el("input", { type: "number", class: "req-count", min: "1", max: "100000", value: "1",
      "aria-label": dt("req_count") }),
    el("button", { type: "button", class: "btn", text: dt("req_remove"), onclick: () => {
      row.remove();
      $("req-hint").hidden = Boolean($("req-rows").children.length);
    } }),
  ]);
  $("req-rows").append(row);
  $("req-hint").hidden = true;
}

export function formRequirements() {
  const rows = [...$("req-rows").querySelectorAll("[data-req-row]")];
  if (!rows.length) return undefined;
  return rows.map((row) => {
    const [kind, ...code] = row.querySelector(".req-code").value.split(":");
    return { kind, code: code.join(":"), count: Number(row.querySelector(".req-count").value) };
  });
}

export function renderLevels() {
  $("levels").replaceChildren(...(state.levels.length
    ? state.levels.map(levelCard)
    : [el("p", { class: "muted", text: dt("no_levels") })]));
}

export async function loadLevels() {
  if (!state.requirementCatalogue) state.requirementCatalogue = await call("/api/v1/duty/requirements");
  state.levels = await call("/api/v1/duty/levels");
  renderLevels();
}

export async function raiseLevel(event) {
  event.preventDefault();
  $("level-form-error").textContent = "";
  const [kind, code] = $("level-area").value.split(":");
  const body = {
    area_kind: kind, area_code: code, level: $("level-level").value,
    starts_at: fromLocalInput($("level-start").value), ends_at: fromLocalInput($("level-end").value),
    reason: $("level-reason").value.trim(), requirements: formRequirements(),
  };
  try {
    const lv = await call("/api/v1/duty/levels", { method: "POST", body });
    toast(dt("raised", { label: en() ? lv.label_en : lv.label_zh, area: lv.area_name_zh }));
    await loadLevels();
  } catch (err) {
    $("level-form-error").textContent = errText(err);
  }
}

export async function cancelLeave(id) {
  try {
    const r = await call(`/api/v1/duty/levels/${id}/cancel-leave`, { method: "POST" });
    toast(dt("cancelled", { n: r.cancelled }));
    await loadLevels();
  } catch (err) {
    toast(errText(err));
  }
}
