// 衡阳义警 and 一呼百应: open incidents (as community hears them from command's
// events) with a call button where volunteers may go, the calls and each
// volunteer's answer, the stand-down that ends every call, and the three-level
// organisation. JSON twins: /api/v1/community/{incidents,mobilisations,organisation}.

import { badge, boot, button, cell, errorText, fmtWhen, num, renderKpis, setMsg } from "../lib/community-common.js";
import { TEXT } from "../text/volunteers.js";

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
