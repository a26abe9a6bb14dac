// 群防群治: grid policing (1+1+N, reports, hazards found -> verified), disputes,
// villages and project officers. Every table is drawn from its JSON twin under
// /api/v1/community; actions post there and redraw what they changed.

import { badge, boot, button, cell, en, errorText, fmtWhen, num, renderBars, renderKpis, setMsg } from "../lib/community-common.js";
import { TEXT } from "../text/community.js";

const $ = (id) => document.getElementById(id);
const state = { tab: "grid", summary: null, reports: null, teams: null, counts: null, disputes: null,
  disputeCounts: null, villages: null, days: null, enterprises: null };
const app = boot(TEXT, () => render());
const ct = app?.ct;

async function load(what) {
  const c = app.call;
  if (what === "summary") state.summary = await c("/api/v1/community/summary");
  if (what === "reports") {
    const f = $("report-filter").value;
    const q = f === "open" ? "kind=hazard&status=found&limit=8" : f === "overdue"
      ? "kind=hazard&overdue=true&limit=15" : `kind=${f}&limit=15`;
    const q2 = f === "open" ? "kind=hazard&status=assigned&limit=8" : null;
    state.reports = await c(`/api/v1/community/grid-reports?${q}`);
    if (q2) {
      const more = await c(`/api/v1/community/grid-reports?${q2}`);
      const removed = await c("/api/v1/community/grid-reports?kind=hazard&status=removed&limit=8");
      state.reports = { total: state.reports.total + more.total + removed.total,
        items: [...state.reports.items, ...more.items, ...removed.items]
          .sort((a, b) => b.found_at.localeCompare(a.found_at)) };
    }
  }
  if (what === "teams") state.teams = await c("/api/v1/community/grid-teams?limit=15");
  if (what === "counts") state.counts = await c("/api/v1/community/grid-counts?by=station&limit=12");
  if (what === "disputes") {
    state.disputes = await c("/api/v1/community/disputes?limit=20");
    state.disputeCounts = await c("/api/v1/community/dispute-counts?limit=15");
  }
  if (what === "villages") state.villages = await c("/api/v1/community/villages?limit=30");
  if (what === "enterprises") {
    state.enterprises = await c("/api/v1/community/enterprises?limit=20");
    const select = $("day-station");
    if (!select.options.length) {
      const stations = [...new Set(state.enterprises.items.map((e) => e.station_code))];
      select.replaceChildren(...stations.map((s) => new Option(s, s)));
      select.value = stations[0];
    }
    state.days = await c(`/api/v1/community/service-days?limit=20&station_code=${encodeURIComponent(select.value)}`);
  }
}

function renderSummary() {
  const s = state.summary;
  if (!s) return;
  renderKpis([
    [ct("kpi_teams"), num(s.grid_teams), "kpi-teams"], [ct("kpi_reports"), num(s.reports)],
    [ct("kpi_hazards"), num(s.hazards)], [ct("kpi_removed"), num(s.hazards_removed), "kpi-removed"],
    [ct("kpi_overdue"), num(s.hazards_overdue)], [ct("kpi_disputes"), num(s.disputes)],
    [ct("kpi_villages"), num(s.villages)], [ct("kpi_officers"), num(s.project_officers)],
    [ct("kpi_recovered"), num(s.recovered_yuan / 10000)],
  ]);
}

async function hazardAction(report, action) {
  const body = { action };
  if (action === "assign") body.assignee = $("assignee").value || "网格辅警";
  try {
    await app.call(`/api/v1/community/grid-reports/${report.id}/actions`, { method: "POST", body });
    await Promise.all([load("reports"), load("summary")]);
    render();
  } catch (err) {
    setMsg("hazard-msg", errorText(err), "error");
  }
}

function renderReports() {
  const r = state.reports;
  if (!r) return;
  const next = { found: "assign", assigned: "remove", removed: "verify" };
  $("reports").tBodies[0].replaceChildren(...r.items.map((x) => {
    const tr = document.createElement("tr");
    tr.dataset.id = x.id;
    tr.dataset.status = x.status;
    const title = cell(x.title + (x.hazard_type ? ` · ${ct(`hazard_${x.hazard_type}`)}` : ""));
    if (x.photos.length) title.title = x.photos.join("\n");
    const status = cell("");
    status.append(badge(x.status, ct(`status_${x.status}`)));
    if (x.overdue_at && (x.status === "found" || x.status === "assigned")) {
      status.append(" ", badge("overdue", ct("overdue")));
    }
    const actions = cell("");
    const step = next[x.status];
    if (step && x.kind === "hazard") {
      actions.append(button(ct(`act_${step}`), () => hazardAction(x, step), { primary: true }));
    }
    tr.append(title, cell(x.grid_code), cell(fmtWhen(x.found_at)), cell(fmtWhen(x.deadline)), status, actions);
    return tr;
  }));
  $("reports-total").textContent = ct("total_of", { n: num(r.total) });
  const first = r.items[0];
  const form = $("hazard-form");
  if (first && !form.lng.value) {
    form.lng.value = first.lng.toFixed(6);
    form.lat.value = first.lat.toFixed(6);
  }
}

function renderTeams() {
  if (!state.teams) return;
  $("teams").tBodies[0].replaceChildren(...state.teams.items.map((t) => {
    const tr = document.createElement("tr");
    tr.append(cell(`${t.grid_name_zh || t.grid_code}`), cell(t.officer_name), cell(t.auxiliary_name),
      cell(num(t.patrollers), { numeric: true }), cell(num(t.reports), { numeric: true }),
      cell(num(t.hazards), { numeric: true }), cell(num(t.hazards_removed), { numeric: true }));
    return tr;
  }));
}

function renderCounts() {
  if (!state.counts) return;
  renderBars($("station-counts"), state.counts.map((r) => ({
    label: r.name_zh || r.code, value: r.counts.reports + r.counts.hazards,
    text: `${r.counts.reports}/${r.counts.hazards}/${r.counts.hazards_removed}`,
  })));
}

function renderDisputes() {
  if (!state.disputes) return;
  $("disputes").tBodies[0].replaceChildren(...state.disputes.items.map((d) => {
    const tr = document.createElement("tr");
    const status = cell("");
    status.append(badge(d.status === "resolved" ? "verified" : d.status, ct(`d_${d.status}`)));
    tr.append(cell(ct(`k_${d.kind}`)), cell(d.station_code), cell(fmtWhen(d.registered_at)),
      cell(d.mediator_name || d.room_station_code), status);
    return tr;
  }));
  $("disputes-total").textContent = ct("total_of", { n: num(state.disputes.total) });
  renderBars($("dispute-counts"), state.disputeCounts.map((r) => ({
    label: r.name_zh || r.code, value: r.counts.registered, ok: true,
    text: `${r.counts.registered}/${r.counts.resolved}`,
  })));
}

function renderVillages() {
  if (!state.villages) return;
  $("villages").tBodies[0].replaceChildren(...state.villages.items.map((v) => {
    const tr = document.createElement("tr");
    tr.append(cell(v.name_zh), cell(v.station_code), cell(v.auxiliary_name),
      cell(num(v.patrol_team_size), { numeric: true }), cell(v.mediators.join("、")),
      cell(num(v.meetings), { numeric: true }));
    return tr;
  }));
  $("villages-total").textContent = ct("total_of", { n: num(state.villages.total) });
}

async function reportDay(day) {
  const text = window.prompt(ct("report_prompt"), "走访企业，收集问题并现场答复");
  if (!text) return;
  try {
    await app.call(`/api/v1/community/service-days/${day.id}/report`, { method: "POST", body: { report: text } });
    setMsg("day-msg", ct("reported_ok"), "ok");
    await load("enterprises");
    render();
  } catch (err) {
    setMsg("day-msg", errorText(err), "error");
  }
}

function renderEnterprises() {
  if (!state.enterprises) return;
  $("days").tBodies[0].replaceChildren(...state.days.map((d) => {
    const tr = document.createElement("tr");
    tr.dataset.id = d.id;
    tr.dataset.status = d.status;
    const status = cell("");
    status.append(badge(d.status === "reported" ? "reported" : "found", ct(`status_${d.status}`)));
    const actions = cell("");
    const today = new Date().toLocaleDateString("en-CA", { timeZone: "Asia/Shanghai" });
    if (d.status === "planned" && d.day <= today) actions.append(button(ct("act_report"), () => reportDay(d), { primary: true }));
    tr.append(cell(d.day), cell(d.station_name_zh || d.station_code), cell(num(d.planned_enterprises.length), { numeric: true }), status, actions);
    return tr;
  }));
  $("enterprises").tBodies[0].replaceChildren(...state.enterprises.items.map((e) => {
    const tr = document.createElement("tr");
    const done = e.plan_items.filter((i) => i.done).length;
    tr.append(cell(e.name_zh), cell(e.park), cell(e.officer_name),
      cell(ct("plan_done", { d: done, n: e.plan_items.length })), cell(num(e.cases), { numeric: true }),
      cell(num(e.recovered_yuan / 10000, 1), { numeric: true }));
    return tr;
  }));
  $("enterprises-total").textContent = ct("total_of", { n: num(state.enterprises.total) });
}

function render() {
  if (!app) return;
  renderSummary();
  renderReports();
  renderTeams();
  renderCounts();
  renderDisputes();
  renderVillages();
  renderEnterprises();
}

async function showTab(tab) {
  state.tab = tab;
  for (const b of document.querySelectorAll("[data-tab]")) b.setAttribute("aria-selected", String(b.dataset.tab === tab));
  for (const name of ["grid", "disputes", "villages", "enterprises"]) $(`tab-${name}`).hidden = name !== tab;
  document.body.dataset.tab = tab;
  if (tab !== "grid" && !state[tab]) {
    await load(tab);
    render();
  }
  document.body.dataset.tabReady = tab;
}

async function main() {
  if (!app) return;
  for (const b of document.querySelectorAll("[data-tab]")) b.addEventListener("click", () => showTab(b.dataset.tab));
  $("report-filter").addEventListener("change", async () => {
    await load("reports");
    render();
  });
  $("hazard-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = ev.target;
    const body = { kind: "hazard", hazard_type: f.hazard_type.value, title: f.title.value,
      lng: Number(f.lng.value), lat: Number(f.lat.value), photos: f.photo.value ? [f.photo.value] : [] };
    try {
      await app.call("/api/v1/community/grid-reports", { method: "POST", body });
      setMsg("hazard-msg", ct("filed"), "ok");
      $("report-filter").value = "open";
      await Promise.all([load("reports"), load("summary"), load("counts")]);
      render();
    } catch (err) {
      setMsg("hazard-msg", errorText(err), "error");
    }
  });
  $("day-station").addEventListener("change", async () => {
    await load("enterprises");
    render();
  });
  $("day-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { station_code: $("day-station").value };
    if ($("day-date").value) body.day = $("day-date").value;
    try {
      const day = await app.call("/api/v1/community/service-days", { method: "POST", body });
      setMsg("day-msg", ct("planned", { d: day.day }), "ok");
      await load("enterprises");
      render();
    } catch (err) {
      setMsg("day-msg", errorText(err), "error");
    }
  });
  try {
    await Promise.all(["summary", "reports", "teams", "counts"].map(load));
  } catch (err) {
    setMsg("hazard-msg", errorText(err), "error");
  }
  render();
  document.body.dataset.ready = "1";
}

main();
