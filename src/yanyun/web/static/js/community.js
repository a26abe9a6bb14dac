// 群防群治: grid policing (1+1+N, reports, hazards found -> verified), disputes,
// villages and project officers. Every table is drawn from its JSON twin under
// /api/v1/community; actions post there and redraw what they changed.

import { badge, boot, button, cell, en, errorText, fmtWhen, num, renderBars, renderKpis, setMsg } from "./community-common.js";

const TEXT = {
  title: ["群防群治 · 网格警务", "Community policing · grids"],
  nav_community: ["群防群治", "Community"],
  nav_volunteers: ["义警与一呼百应", "Volunteers"],
  nav_console: ["接警调度台", "Dispatcher console"],
  nav_map: ["指挥地图", "Command map"],
  logout: ["退出", "Log out"],
  tab_grid: ["网格警务", "Grids"],
  tab_disputes: ["矛盾纠纷", "Disputes"],
  tab_villages: ["一村一辅警", "Villages"],
  tab_enterprises: ["项目警官", "Project officers"],
  hazards_title: ["隐患与社情上报", "Hazards and grid reports"],
  filter_open: ["在办隐患", "Open hazards"],
  filter_hazards: ["全部隐患", "All hazards"],
  filter_dynamics: ["社情动态", "Social dynamics"],
  filter_overdue: ["逾期隐患", "Overdue hazards"],
  assignee: ["整改责任人", "Assignee"],
  col_title: ["事项", "Item"], col_grid: ["网格", "Grid"], col_found: ["发现时间", "Found"],
  col_deadline: ["整改期限", "Deadline"], col_status: ["状态", "Status"], col_actions: ["操作", "Actions"],
  file_title: ["上报隐患", "Report a hazard"],
  f_title: ["隐患描述", "Description"], f_type: ["类型", "Type"], f_photo: ["照片编号", "Photo reference"],
  f_lng: ["经度", "Longitude"], f_lat: ["纬度", "Latitude"], f_submit: ["上报", "Report"],
  type_fire: ["消防", "Fire"], type_public_order: ["治安", "Public order"], type_other: ["其他", "Other"],
  counts_title: ["各派出所网格上报（社情 / 隐患 / 已整改）", "Grid reports by station (dynamics / hazards / removed)"],
  teams_title: ["网格力量 1+1+N（民警 + 辅警 + 义警巡逻员）", "Grid teams 1+1+N (officer + auxiliary + volunteer patrollers)"],
  col_officer: ["网格民警", "Officer"], col_aux: ["网格辅警", "Auxiliary"], col_patrollers: ["义警巡逻员", "Patrollers"],
  col_reports: ["社情上报", "Reports"], col_hazards: ["隐患", "Hazards"], col_removed: ["已整改", "Removed"],
  disputes_title: ["矛盾纠纷调解", "Disputes and mediation"],
  col_kind: ["类型", "Kind"], col_station: ["派出所", "Station"], col_registered: ["登记时间", "Registered"],
  col_mediator: ["调解员", "Mediator"],
  dispute_counts_title: ["各派出所纠纷调解（登记 / 调解成功）", "Disputes by station (registered / resolved)"],
  villages_title: ["一村一辅警", "One auxiliary officer per village"],
  col_village: ["村（湾）", "Village"], col_village_aux: ["驻村辅警", "Village auxiliary"],
  col_patrol: ["巡逻队员", "Patrol team"], col_mediators: ["湾村明白人", "Village mediators"],
  col_meetings: ["屋场恳谈会", "Courtyard meetings"],
  days_title: ["企业服务日（每月20日）", "Enterprise service day (the 20th)"],
  f_station: ["派出所", "Station"], f_day: ["服务日", "Day"], plan_day: ["安排服务日", "Plan service day"],
  col_day: ["日期", "Day"], col_planned: ["计划走访", "Planned visits"],
  enterprises_title: ["项目警官与企业（一企一策）", "Project officers and enterprises (one plan each)"],
  col_enterprise: ["企业/项目", "Enterprise / project"], col_park: ["园区", "Park"],
  col_po: ["项目警官", "Project officer"], col_plan: ["一企一策", "Plan"], col_cases: ["涉企案件", "Cases"],
  col_recovered: ["挽损（万元）", "Recovered (10k yuan)"],
  kpi_teams: ["网格", "Grid teams"], kpi_reports: ["社情上报", "Grid reports"], kpi_hazards: ["排查隐患", "Hazards found"],
  kpi_removed: ["整改隐患", "Hazards removed"], kpi_overdue: ["逾期隐患", "Hazards overdue"],
  kpi_disputes: ["调解纠纷", "Disputes"], kpi_villages: ["驻村辅警", "Village auxiliaries"],
  kpi_officers: ["项目警官", "Project officers"], kpi_recovered: ["涉企挽损（万元）", "Recovered (10k yuan)"],
  act_assign: ["交办", "Assign"], act_remove: ["已整改", "Removed"], act_verify: ["核验", "Verify"],
  act_report: ["上报总结", "Report"], report_prompt: ["服务日工作总结", "Service day report"],
  filed: ["已上报隐患", "Hazard reported"], planned: ["已安排服务日 {d}", "Service day {d} planned"],
  reported_ok: ["服务日已上报", "Service day reported"], overdue: ["逾期", "overdue"],
  total_of: ["共 {n} 条", "{n} in all"], plan_done: ["{d}/{n} 项完成", "{d} of {n} done"],
  status_found: ["已发现", "Found"], status_assigned: ["已交办", "Assigned"], status_removed: ["已整改", "Removed"],
  status_verified: ["已核验", "Verified"], status_recorded: ["已记录", "Recorded"],
  status_planned: ["待上报", "Planned"], status_reported: ["已上报", "Reported"],
  d_registered: ["已登记", "Registered"], d_assigned: ["已指派", "Assigned"], d_mediating: ["调解中", "Mediating"],
  d_resolved: ["调解成功", "Resolved"], d_failed: ["调解未成", "Not resolved"],
  k_family: ["家庭矛盾", "Family"], k_neighbour: ["邻里纠纷", "Neighbours"], k_labour: ["劳资纠纷", "Labour"],
  k_debt: ["债务纠纷", "Debt"], k_consumer: ["消费纠纷", "Consumer"], k_land: ["土地山林", "Land"], k_other: ["其他", "Other"],
  hazard_fire: ["消防", "fire"], hazard_public_order: ["治安", "public order"], hazard_other: ["其他", "other"],
};

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
