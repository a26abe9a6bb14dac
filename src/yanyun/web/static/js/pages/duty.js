// Duty (勤务): the station roster with the crew of each unit, duty levels with their
// shortfall, and school-gate posts with clock-in and the compliance report. Every
// panel reads /api/v1/duty/... (its JSON twin); unit status comes from command's
// /api/v1/units, and live events keep both current: a unit becomes available in
// command only when duty's roster puts someone on duty in it.

import { api, ApiError, goToLogin, loadSession } from "../lib/api.js";
import { applyI18n, fmtNumber, getLang, makeTranslator, mountLangToggle, onLangChange, t } from "../lib/i18n.js";
import { logout, renderConnBanner, startPageLive } from "../lib/page.js";
import { el } from "../lib/dom.js";
import { TEXT } from "../text/duty.js";

const dt = makeTranslator(TEXT);
const $ = (id) => document.getElementById(id);
const en = () => getLang() === "en";

const state = {
  session: null, live: null, liveState: { state: "connecting" }, lastEvent: null,
  tab: "roster", strengths: [], station: null, roster: null, units: new Map(),
  officers: new Map(), areas: [], levels: [], posts: [], report: null, reloadTimer: null,
  requirementCatalogue: null,
};

function fmtClock(iso) {
  return new Date(iso).toLocaleTimeString(en() ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", hour12: false, hour: "2-digit", minute: "2-digit",
  });
}

function fmtDateTime(iso) {
  return new Date(iso).toLocaleString(en() ? "en-GB" : "zh-CN", {
    timeZone: "Asia/Shanghai", hour12: false, month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit",
  });
}

function shanghaiDay(date = new Date()) {
  return date.toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
}

function toast(text) {
  const node = $("toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, 4000);
}

function call(path, opts = {}) {
  return api(path, { token: state.session.token, ...opts });
}

function errText(err) {
  return err instanceof ApiError ? err.text() : String(err);
}

// ---- roster ------------------------------------------------------------------

function currentShift() {
  return state.roster?.shifts.find((s) => s.current) || null;
}

function crewOf(unitId) {
  const shift = currentShift();
  if (!shift) return [];
  return shift.entries.filter((e) => e.unit_id === unitId && e.attendance !== "absent" && !e.on_leave);
}

function person(entry) {
  const cls = `person ${entry.officer_kind}${entry.on_leave ? " leave" : ""}`;
  const tip = `${entry.rank}${entry.on_leave ? ` · ${dt("on_leave")}` : ""}`;
  return el("span", { class: cls, title: tip, "data-officer": entry.officer_id, text: entry.officer_name_zh });
}

function statusBadge(status) {
  const cls = status === "available" ? "ok" : status === "out_of_service" ? "bad" : "warn";
  return el("span", { class: `badge ${cls}`, text: dt(`unit_${status}`) });
}

function renderRoster() {
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

async function loadRoster() {
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

function renderOfficers() {
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

async function reveal(id) {
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

function scheduleRosterReload() {
  if (state.reloadTimer) return;
  state.reloadTimer = setTimeout(() => {
    state.reloadTimer = null;
    if (state.tab === "roster") loadRoster().catch(() => {});
  }, 400);
}

async function assign(unitId, entryId) {
  if (!entryId) return;
  try {
    await call(`/api/v1/duty/entries/${entryId}`, { method: "PATCH", body: { unit_id: unitId } });
    await loadRoster();
  } catch (err) {
    toast(errText(err));
  }
}

async function standDown(unitId) {
  try {
    for (const e of crewOf(unitId)) {
      await call(`/api/v1/duty/entries/${e.id}`, { method: "PATCH", body: { unit_id: null } });
    }
    await loadRoster();
  } catch (err) {
    toast(errText(err));
  }
}

// ---- duty levels ----------------------------------------------------------------

function localInput(date) {
  const s = date.toLocaleString("sv-SE", { timeZone: "Asia/Shanghai" });
  return s.slice(0, 16).replace(" ", "T");
}

function fromLocalInput(value) {
  return new Date(`${value}:00+08:00`).toISOString();
}

function renderAreas() {
  const groups = [["district", dt("districts")], ["station", dt("stations")]];
  $("level-area").replaceChildren(...groups.map(([kind, label]) => el("optgroup", { label },
    state.areas.filter((a) => a.kind === kind).map((a) => el("option", {
      value: `${a.kind}:${a.code}`, text: en() ? a.name_en : a.name_zh,
    })))));
}

function levelCard(lv) {
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

function requirementTable(lv) {
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

function requirementOptions() {
  const options = state.requirementCatalogue?.options || [];
  return ["skill", "certification", "post"].map((kind) => el("optgroup", { label: dt(`req_kind_${kind}`) },
    options.filter((o) => o.kind === kind).map((o) => el("option", {
      value: `${o.kind}:${o.code}`, text: en() ? o.label_en : o.label_zh,
    }))));
}

function addRequirementRow() {
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

function formRequirements() {
  const rows = [...$("req-rows").querySelectorAll("[data-req-row]")];
  if (!rows.length) return undefined;
  return rows.map((row) => {
    const [kind, ...code] = row.querySelector(".req-code").value.split(":");
    return { kind, code: code.join(":"), count: Number(row.querySelector(".req-count").value) };
  });
}

function renderLevels() {
  $("levels").replaceChildren(...(state.levels.length
    ? state.levels.map(levelCard)
    : [el("p", { class: "muted", text: dt("no_levels") })]));
}

async function loadLevels() {
  if (!state.requirementCatalogue) state.requirementCatalogue = await call("/api/v1/duty/requirements");
  state.levels = await call("/api/v1/duty/levels");
  renderLevels();
}

async function raiseLevel(event) {
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

async function cancelLeave(id) {
  try {
    const r = await call(`/api/v1/duty/levels/${id}/cancel-leave`, { method: "POST" });
    toast(dt("cancelled", { n: r.cancelled }));
    await loadLevels();
  } catch (err) {
    toast(errText(err));
  }
}

// ---- school-gate posts ---------------------------------------------------------------

function selectedPost() {
  return state.posts.find((p) => p.id === $("post-select").value) || null;
}

async function onPostChange() {
  const post = selectedPost();
  if (!post) return;
  const days = post.weekdays.length === 7 ? dt("every_day") : dt("school_days");
  $("post-info").textContent = dt("post_info", {
    w: post.windows.map((w) => w.join("–")).join("、"), days, r: post.radius_m, n: post.required_officers,
  });
  const page = await call(`/api/v1/duty/officers?station_code=${encodeURIComponent(post.station_code)}&limit=100`);
  $("officer-select").replaceChildren(...page.items.map((o) => el("option", {
    value: o.id, text: `${o.name_zh}（${dt(o.kind)} ${o.badge_no}）`,
  })));
}

function position() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) reject(new Error("geolocation unavailable"));
    else navigator.geolocation.getCurrentPosition(resolve, reject, { enableHighAccuracy: true, timeout: 10000, maximumAge: 0 });
  });
}

async function clockIn() {
  const post = selectedPost();
  const box = $("clockin-result");
  box.className = "result";
  box.removeAttribute("data-state");
  box.textContent = dt("locating");
  let pos;
  try {
    pos = await position();
  } catch (err) {
    box.className = "result bad";
    box.dataset.state = "bad";
    box.textContent = dt("geo_denied", { msg: err.message || String(err) });
    return;
  }
  const body = {
    officer_id: $("officer-select").value, lng: pos.coords.longitude, lat: pos.coords.latitude,
    // The fix was asked fresh (maximumAge 0), so it is as old as this moment; the
    // device clock is the one the server checks for skew, and some browsers stamp
    // fixes on a clock of their own.
    accuracy_m: Math.round(pos.coords.accuracy || 0), at: new Date().toISOString(),
  };
  try {
    const r = await call(`/api/v1/duty/posts/${post.id}/clock-ins`, { method: "POST", body });
    box.className = "result ok";
    box.dataset.state = "ok";
    box.textContent = dt("clock_ok", { d: Math.round(r.distance_m), w: r.window });
    await loadReport();
  } catch (err) {
    box.className = "result bad";
    box.dataset.state = "bad";
    box.dataset.field = err.field || "";
    box.textContent = errText(err);
  }
}

function renderReport() {
  const r = state.report;
  if (!r) return;
  $("r-windows").textContent = fmtNumber(r.windows);
  $("r-met").textContent = fmtNumber(r.met);
  $("r-rate").textContent = r.windows ? `${fmtNumber(r.rate * 100, 1)}%` : dt("not_school_day");
  const stations = [...r.stations].sort((a, b) => a.rate - b.rate || a.station_code.localeCompare(b.station_code));
  $("station-report").querySelector("tbody").replaceChildren(...stations.map((s) => el("tr", { "data-station": s.station_code }, [
    el("td", { text: s.station_name_zh }),
    el("td", { text: fmtNumber(s.windows) }),
    el("td", { text: fmtNumber(s.met) }),
    el("td", {}, el("span", { class: `badge ${s.rate >= 0.9 ? "ok" : s.rate >= 0.6 ? "warn" : "bad"}`,
      text: `${fmtNumber(s.rate * 100, 0)}%` })),
  ])));
  const order = (row) => (row.due ? (row.met ? 1 : 0) : 2);
  const rows = [...r.rows].sort((a, b) => order(a) - order(b) || a.post_id.localeCompare(b.post_id));
  $("post-report").querySelector("tbody").replaceChildren(...rows.map((p) => el("tr", {
    "data-post": p.post_id, "data-window": p.window, "data-met": String(p.met),
    "data-present": String(p.present),
  }, [
    el("td", { text: p.name_zh }),
    el("td", { class: "mono", text: p.window }),
    el("td", { text: `${p.present}/${p.required}` }),
    el("td", {}, p.due
      ? el("span", { class: `badge ${p.met ? "ok" : "bad"}`, text: dt(p.met ? "met_yes" : "met_no") })
      : el("span", { class: "badge pending", text: dt("not_due") })),
  ])));
}

async function loadReport() {
  state.report = await call(`/api/v1/duty/compliance?day=${$("report-day").value}`);
  renderReport();
}

async function loadSchool() {
  if (!state.posts.length) {
    const page = await call("/api/v1/duty/posts?kind=school_post&limit=5000");
    state.posts = page.items;
    $("post-select").replaceChildren(...state.posts.map((p) => el("option", { value: p.id, text: p.name_zh })));
    await onPostChange();
  }
  await loadReport();
}

// ---- frame ----------------------------------------------------------------------------

function renderText() {
  applyI18n();
  for (const node of document.querySelectorAll("[data-d]")) node.textContent = dt(node.dataset.d);
  document.title = `${t("app_name")} · ${dt("duty_title")}`;
  renderConnBanner(state.liveState, state.lastEvent);
}

async function showTab(tab) {
  state.tab = ["roster", "levels", "school"].includes(tab) ? tab : "roster";
  for (const b of document.querySelectorAll(".tab")) b.setAttribute("aria-selected", String(b.dataset.tab === state.tab));
  for (const v of document.querySelectorAll(".view")) v.hidden = v.dataset.view !== state.tab;
  try {
    if (state.tab === "roster") await loadRoster();
    else if (state.tab === "levels") await loadLevels();
    else await loadSchool();
    $("duty-error").hidden = true;
  } catch (err) {
    if (err.status === 401) return;
    $("duty-error").hidden = false;
    $("duty-error").textContent = dt("load_error", { msg: errText(err) });
  }
  document.body.dataset.dutyTab = state.tab;
}

function onEvent(event) {
  state.lastEvent = event;
  renderConnBanner(state.liveState, state.lastEvent);
  const p = event.payload || {};
  if (event.kind.startsWith("unit.") && state.units.has(event.resource_id) && p.status) {
    state.units.get(event.resource_id).status = p.status;
    if (state.tab === "roster") renderRoster();
  } else if (event.kind === "duty.crews_changed" && event.resource_id === state.station) {
    scheduleRosterReload();
  }
}

async function main() {
  state.session = loadSession();
  if (!state.session) {
    goToLogin();
    return;
  }
  $("user-name").textContent = state.session.user?.display_name || "";
  mountLangToggle($("lang-toggle"));
  renderText();
  try {
    [state.strengths, state.areas] = await Promise.all([
      call("/api/v1/duty/stations"), call("/api/v1/duty/areas"),
    ]);
  } catch (err) {
    document.body.classList.remove("is-pending");
    if (err.status === 401) return;
    $("duty-error").hidden = false;
    $("duty-error").textContent = dt("load_error", { msg: errText(err) });
    return;
  }
  const params = new URLSearchParams(location.search);
  state.station = params.get("station") || state.strengths[0]?.station_code || null;
  $("station-select").replaceChildren(...state.strengths.map((s) => el("option", {
    value: s.station_code, text: `${s.station_name_zh}（${s.grade}级）`,
  })));
  $("station-select").value = state.station;
  $("station-select").addEventListener("change", () => {
    state.station = $("station-select").value;
    loadRoster().catch((err) => toast(errText(err)));
  });
  renderAreas();
  const now = new Date();
  $("level-start").value = localInput(now);
  $("level-end").value = localInput(new Date(now.getTime() + 12 * 3600 * 1000));
  $("level-form").addEventListener("submit", raiseLevel);
  $("req-add").addEventListener("click", addRequirementRow);
  $("report-day").value = shanghaiDay();
  $("report-day").addEventListener("change", () => loadReport().catch((err) => toast(errText(err))));
  $("post-select").addEventListener("change", () => onPostChange().catch((err) => toast(errText(err))));
  $("clockin-btn").addEventListener("click", clockIn);
  for (const b of document.querySelectorAll(".tab")) {
    b.addEventListener("click", () => {
      history.replaceState(null, "", `#${b.dataset.tab}`);
      showTab(b.dataset.tab);
    });
  }
  $("logout").addEventListener("click", () => logout(state.session, state.live));
  onLangChange(() => {
    renderText();
    renderAreas();
    renderRoster();
    renderOfficers();
    renderLevels();
    renderReport();
    for (const select of document.querySelectorAll("#req-rows .req-code")) {
      const value = select.value;
      select.replaceChildren(...requirementOptions());
      select.value = value;
    }
  });
  await showTab(location.hash.slice(1) || "roster");
  document.body.classList.remove("is-pending");
  document.body.dataset.dutyReady = "1";
  state.live = startPageLive({
    token: state.session.token,
    onState: (s) => {
      state.liveState = s;
      renderConnBanner(state.liveState, state.lastEvent);
    },
    onEvent,
    retryButton: $("conn-retry"),
  });
  window.yanyunDuty = { state };
}

main();
