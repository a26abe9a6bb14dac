// 衡阳义警 and 一呼百应: open incidents (as community hears them from command's
// events) with a call button where volunteers may go, the calls and each
// volunteer's answer, the stand-down that ends every call, and the three-level
// organisation. JSON twins: /api/v1/community/{incidents,mobilisations,organisation}.

import { badge, boot, button, cell, errorText, fmtWhen, num, renderKpis, setMsg } from "./community-common.js";

const TEXT = {
  title: ["衡阳义警 · 一呼百应", "Volunteer police · one call, a hundred answer"],
  nav_community: ["群防群治", "Community"], nav_volunteers: ["义警与一呼百应", "Volunteers"],
  nav_console: ["接警调度台", "Dispatcher console"], nav_map: ["指挥地图", "Command map"],
  logout: ["退出", "Log out"],
  incidents_title: ["在办警情 · 呼叫附近义警", "Open incidents · call nearby volunteers"],
  headcount: ["人数", "Headcount"], skill: ["技能", "Skill"], skill_any: ["不限", "Any"],
  col_number: ["警情编号", "Incident"], col_category: ["类别", "Category"], col_station: ["派出所", "Station"],
  col_received: ["接警时间", "Received"], col_actions: ["操作", "Actions"],
  calls_title: ["呼叫记录", "Calls"], col_call: ["呼叫", "Call"], col_created: ["时间", "Time"],
  col_called: ["呼叫", "Called"], col_accepted: ["响应", "Accepted"], col_arrived: ["到场", "Arrived"],
  col_status: ["状态", "Status"],
  detail_title: ["呼叫详情", "Call detail"], col_volunteer: ["义警", "Volunteer"], col_distance: ["距离", "Distance"],
  col_eta: ["预计到达", "ETA"], stand_down: ["解散（任务结束）", "Stand down (call ends)"],
  org_title: ["三级组织：总队 · 支队 · 大队 · 中队", "Organisation: corps · detachments · brigades · squads"],
  call: ["呼叫义警", "Call volunteers"], unsafe: ["不适合义警", "Unsafe for volunteers"],
  accept: ["响应", "Accept"], decline: ["婉拒", "Decline"], arrive: ["到场", "Arrived"],
  called_n: ["已呼叫 {n} 名义警（筛选用时 {ms} 毫秒）", "{n} volunteers called (selected in {ms} ms)"],
  stood_down_ok: ["已解散，全部义警已通知", "Stood down; every volunteer told"],
  no_incidents: ["暂无在办警情", "No open incidents"], no_call: ["请选择一条呼叫", "Choose a call"],
  meta: ["{station} · 需 {n} 人 · 半径 {r} 米 · {status}", "{station} · {n} wanted · radius {r} m · {status}"],
  call_open: ["进行中", "open"], call_stood_down: ["已解散", "stood down"],
  kpi_volunteers: ["注册义警", "Volunteers"], kpi_available: ["可响应", "Available"],
  kpi_open: ["进行中呼叫", "Open calls"], kpi_incidents: ["在办警情", "Open incidents"],
  level_corps: ["总队", "Corps"], level_detachment: ["支队", "Detachment"], level_brigade: ["大队", "Brigade"],
  level_squad: ["中队", "Squad"], org_line: ["{name}（{level}）· {n} 人", "{name} ({level}) · {n} volunteers"],
  rally: [" · 集结点 {n}", " · {n} rally points"],
  s_called: ["已呼叫", "called"], s_accepted: ["已响应", "accepted"], s_declined: ["已婉拒", "declined"],
  s_arrived: ["已到场", "arrived"], s_stood_down: ["已解散", "stood down"],
  sk_patrol: ["巡逻防控", "patrol"], sk_first_aid: ["应急救护", "first aid"], sk_mediation: ["矛盾调解", "mediation"],
  sk_traffic: ["交通劝导", "traffic"], sk_water_rescue: ["水上救援", "water rescue"],
  sk_fire_safety: ["消防安全", "fire safety"], sk_publicity: ["法治宣传", "publicity"], sk_driving: ["驾驶", "driving"],
};
const SKILLS = ["patrol", "first_aid", "mediation", "traffic", "water_rescue", "fire_safety", "publicity", "driving"];

const $ = (id) => document.getElementById(id);
const state = { summary: null, incidents: [], calls: [], detail: null, org: new Map(), roots: [] };
const app = boot(TEXT, () => render());
const ct = app?.ct;

async function loadLists() {
  const [summary, incidents, calls] = await Promise.all([
    app.call("/api/v1/community/summary"),
    app.call("/api/v1/community/incidents?limit=15"),
    app.call("/api/v1/community/mobilisations?limit=10"),
  ]);
  Object.assign(state, { summary, incidents, calls });
}

async function openDetail(id) {
  state.detail = await app.call(`/api/v1/community/mobilisations/${id}`);
  render();
}

async function callFor(incident) {
  const body = { headcount: Number($("headcount").value) || 5, skills: $("skill").value ? [$("skill").value] : [] };
  try {
    const call = await app.call(`/api/v1/community/incidents/${incident.id}/mobilisations`, { method: "POST", body });
    state.detail = call;
    setMsg("call-msg", ct("called_n", { n: call.counts.called, ms: num(call.selection_ms, 1) }), "ok");
    await loadLists();
    render();
  } catch (err) {
    setMsg("call-msg", errorText(err), "error");
  }
}

async function respond(resp, action) {
  try {
    state.detail = await app.call(`/api/v1/community/mobilisations/${state.detail.id}/responses/${resp.id}`,
      { method: "POST", body: { action } });
    await loadLists();
    render();
  } catch (err) {
    setMsg("call-msg", errorText(err), "error");
  }
}

async function standDown() {
  try {
    state.detail = await app.call(`/api/v1/community/mobilisations/${state.detail.id}/stand-down`,
      { method: "POST", body: { reason: "任务完成" } });
    setMsg("call-msg", ct("stood_down_ok"), "ok");
    await loadLists();
    render();
  } catch (err) {
    setMsg("call-msg", errorText(err), "error");
  }
}

function renderIncidents() {
  const rows = state.incidents.map((i) => {
    const tr = document.createElement("tr");
    tr.dataset.id = i.id;
    const actions = cell("");
    if (i.volunteer_safe) actions.append(button(ct("call"), () => callFor(i), { primary: true }));
    else actions.append(badge("unsafe", ct("unsafe")));
    tr.append(cell(i.number), cell(i.sub_code || i.category_code), cell(i.station_name_zh || i.station_code), cell(fmtWhen(i.received_at)), actions);
    return tr;
  });
  if (!rows.length) {
    const tr = document.createElement("tr");
    const td = cell(ct("no_incidents"));
    td.colSpan = 5;
    tr.append(td);
    rows.push(tr);
  }
  $("incidents").tBodies[0].replaceChildren(...rows);
}

function renderCalls() {
  $("calls").tBodies[0].replaceChildren(...state.calls.map((c) => {
    const tr = document.createElement("tr");
    tr.dataset.id = c.id;
    tr.style.cursor = "pointer";
    tr.addEventListener("click", () => openDetail(c.id));
    const status = cell("");
    status.append(badge(c.status === "open" ? "accepted" : "verified", ct(`call_${c.status}`)));
    const called = Object.values(c.counts).reduce((a, b) => a + b, 0);
    tr.append(cell(c.title), cell(fmtWhen(c.created_at)), cell(num(called), { numeric: true }),
      cell(num(c.counts.accepted + c.counts.arrived), { numeric: true }), cell(num(c.counts.arrived), { numeric: true }), status);
    return tr;
  }));
}

function renderDetail() {
  const d = state.detail;
  $("stand-down").hidden = !d || d.status !== "open";
  $("call-detail").dataset.status = d ? d.status : "";
  if (!d) {
    $("detail-meta").textContent = ct("no_call");
    $("responses").tBodies[0].replaceChildren();
    return;
  }
  $("detail-title").textContent = d.title;
  $("detail-meta").textContent = ct("meta", { station: d.station_code, n: d.headcount, r: num(d.radius_m), status: ct(`call_${d.status}`) });
  const next = { called: ["accept", "decline"], accepted: ["arrive", "decline"] };
  $("responses").tBodies[0].replaceChildren(...d.responses.map((r) => {
    const tr = document.createElement("tr");
    tr.dataset.id = r.id;
    tr.dataset.status = r.status;
    const status = cell("");
    status.append(badge(r.status, ct(`s_${r.status}`)));
    const actions = cell("");
    if (d.status === "open") for (const a of next[r.status] || []) actions.append(button(ct(a), () => respond(r, a)), " ");
    tr.append(cell(r.volunteer_name), cell(`${num(r.distance_m)} m`, { numeric: true }),
      cell(`${num(r.eta_s / 60, 1)} min`, { numeric: true }), status, actions);
    return tr;
  }));
}

function renderSummary() {
  const s = state.summary;
  if (!s) return;
  renderKpis([
    [ct("kpi_volunteers"), num(s.volunteers), "kpi-volunteers"], [ct("kpi_available"), num(s.volunteers_available)],
    [ct("kpi_open"), num(state.calls.filter((c) => c.status === "open").length)],
    [ct("kpi_incidents"), num(state.incidents.length)],
  ]);
}

async function expand(unit, li) {
  if (li.querySelector("ul")) {
    li.querySelector("ul").remove();
    return;
  }
  const children = await app.call(`/api/v1/community/organisation?parent_id=${encodeURIComponent(unit.id)}`);
  state.org.set(unit.id, children);
  li.append(orgList(children));
}

function orgList(units) {
  const ul = document.createElement("ul");
  for (const u of units) {
    const li = document.createElement("li");
    const text = ct("org_line", { name: u.name_zh, level: ct(`level_${u.level}`), n: num(u.volunteers) })
      + (u.rally_points ? ct("rally", { n: u.rally_points }) : "");
    if (u.children) li.append(button(text, () => expand(u, li)));
    else li.append(text);
    ul.append(li);
  }
  return ul;
}

function render() {
  if (!app) return;
  renderSummary();
  renderIncidents();
  renderCalls();
  renderDetail();
  const skill = $("skill");
  const chosen = skill.value;
  skill.replaceChildren(new Option(ct("skill_any"), ""), ...SKILLS.map((s) => new Option(ct(`sk_${s}`), s)));
  skill.value = chosen;
  $("org").replaceChildren(...orgList(state.roots).children);
}

async function main() {
  if (!app) return;
  $("stand-down").addEventListener("click", standDown);
  try {
    await loadLists();
    state.roots = await app.call("/api/v1/community/organisation");
  } catch (err) {
    setMsg("call-msg", errorText(err), "error");
  }
  render();
  document.body.dataset.ready = "1";
}

main();
