// The yardstick (考核): a place's indicators for a month beside a year before and the
// month before, with arrows that say better or worse the indicator's own way, twelve
// months of trend, the units below ranked, and every figure opening its records.

import { api, goToLogin, loadSession } from "../lib/api.js";
import { el } from "../lib/dom.js";
import { fmtNumber, getLang, makeTranslator, mountLangToggle, onLangChange } from "../lib/i18n.js";
import { logout } from "../lib/page.js";
import { TEXT } from "../text/kpi.js";

const tr = makeTranslator(TEXT);
const $ = (id) => document.getElementById(id);
const SHARES = new Set(["within_target", "dispatch_breach", "satisfaction", "safety"]);
// Figures counted from incidents open their incidents; the others' records live elsewhere.
const FROM_INCIDENTS = new Set(["count", "within_target", "mean_arrival_s", "dispatch_breach"]);
const state = { session: null, data: null, trail: [], month: null, selected: null };

const nameOf = (thing) => (getLang() === "en" ? thing.name_en : thing.name_zh);

function fmtValue(ind, v) {
  if (v === null || v === undefined) return tr("none");
  if (SHARES.has(ind.measure)) return `${fmtNumber(v * 100, 1)}%`;
  return fmtNumber(v, ind.measure === "mean_arrival_s" ? 1 : 0);
}

function change(ind, ratio) {
  if (ratio === null || ratio === undefined) return el("span", { class: "chg", text: tr("none") });
  const good = ratio === 0 ? null : (ratio < 0) === (ind.good === "down");
  const arrow = ratio > 0 ? "↑" : ratio < 0 ? "↓" : "→";
  return el("span", {
    class: `chg ${good === null ? "" : good ? "better" : "worse"}`,
    title: tr(good === null ? "same" : good ? "better" : "worse"),
    dataset: { good: good === null ? "same" : good ? "better" : "worse" },
    text: `${arrow} ${fmtNumber(Math.abs(ratio) * 100, 1)}%`,
  });
}

function sparkline(months) {
  const values = months.map(([, v]) => v);
  const known = values.filter((v) => v !== null);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "kpi-spark");
  svg.setAttribute("viewBox", "0 0 120 28");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", months.map(([m, v]) => `${m}: ${v ?? "-"}`).join(", "));
  if (known.length < 2) return svg;
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  const points = values.map((v, i) => (v === null ? null
    : `${(i * 120) / (values.length - 1)},${26 - (hi === lo ? 12 : ((v - lo) / (hi - lo)) * 24)}`));
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  line.setAttribute("points", points.filter(Boolean).join(" "));
  svg.append(line);
  return svg;
}

function indicatorRow(ind) {
  return el("tr", { dataset: { indicator: ind.id }, class: state.selected === ind.id ? "selected" : "" },
    el("td", { text: nameOf(ind) }),
    el("td", {}, el("button", {
      type: "button", class: "val", text: fmtValue(ind, ind.value),
      dataset: { records: ind.id }, onclick: () => select(ind.id),
    })),
    el("td", { text: fmtValue(ind, ind.last_year) }),
    el("td", {}, change(ind, ind.yoy)),
    el("td", { text: fmtValue(ind, ind.previous) }),
    el("td", {}, change(ind, ind.pop)),
    el("td", { text: ind.target === null ? "" : fmtValue(ind, ind.target) }),
    el("td", {}, sparkline(ind.months)));
}

function render() {
  for (const node of document.querySelectorAll("[data-k]")) node.textContent = tr(node.dataset.k);
  document.documentElement.lang = getLang() === "en" ? "en" : "zh-CN";
  document.title = `${tr("app")} · ${tr("title")}`;
  const d = state.data;
  if (!d) return;
  $("kpi-meta").textContent = tr("meta", { name: nameOf(d), first: d.first, last: d.last, version: d.version });
  renderCrumbs();
  const rows = [];
  let group = null;
  for (const ind of d.indicators) {
    if (ind.group !== group) {
      group = ind.group;
      rows.push(el("tr", { class: "group" }, el("td", { colspan: "8", text: tr(`group_${group}`) })));
    }
    rows.push(indicatorRow(ind));
  }
  $("kpi-rows").replaceChildren(...rows);
  renderUnits();
}

function renderCrumbs() {
  const crumbs = [el("button", { type: "button", text: tr("city"), onclick: () => go([]) })];
  state.trail.forEach((step, i) => {
    crumbs.push(" › ", el("button", {
      type: "button", class: i === state.trail.length - 1 ? "here" : "",
      text: getLang() === "en" ? step.name_en : step.name_zh,
      onclick: () => go(state.trail.slice(0, i + 1)),
    }));
  });
  $("kpi-crumbs").replaceChildren(...crumbs);
}

function renderUnits() {
  const d = state.data;
  const ind = d.indicators.find((i) => i.id === state.selected) || d.indicators[0];
  if (!ind) return;
  $("units-of").textContent = nameOf(ind);
  const canOpen = d.level !== "station";
  $("kpi-units").replaceChildren(...ind.units.map((u) => el("li", { dataset: { unit: u.code } },
    canOpen && d.level === "city"
      ? el("button", { type: "button", text: nameOf(u), onclick: () => go([...state.trail, u]) })
      : el("span", { text: nameOf(u) }),
    ` ${fmtValue(ind, u.value)} `, change(ind, u.yoy))));
}

async function select(indicatorId) {
  state.selected = indicatorId;
  render();
  const ind = state.data.indicators.find((i) => i.id === indicatorId);
  $("kpi-records-card").hidden = false;
  $("records-of").textContent = nameOf(ind);
  if (!FROM_INCIDENTS.has(ind.measure)) {
    $("records-meta").textContent = tr("no_records");
    $("kpi-records").replaceChildren();
    return;
  }
  const page = await api(`/api/v1/kpi/records?${query({ indicator: indicatorId, limit: 100 })}`,
    { token: state.session.token });
  $("records-meta").textContent = tr("records_meta", { n: page.total, shown: page.rows.length });
  $("kpi-records").replaceChildren(...page.rows.map((r) => el("tr", { dataset: { incident: r.id } },
    el("td", {}, el("a", { href: `/console?incident=${encodeURIComponent(r.id)}`, text: r.number })),
    el("td", { text: new Date(r.received_at).toLocaleString(getLang() === "en" ? "en-GB" : "zh-CN", { timeZone: "Asia/Shanghai" }) }),
    el("td", { text: r.sub_code || r.category_code }),
    el("td", { text: r.station_code }))));
}

function query(extra = {}) {
  const params = new URLSearchParams({ month: state.month, ...extra });
  const here = state.trail[state.trail.length - 1];
  if (here) params.set("org", here.code);
  return params.toString();
}

async function go(trail) {
  state.trail = trail;
  await load();
}

async function load() {
  $("kpi-error").hidden = true;
  try {
    state.data = await api(`/api/v1/kpi?${query()}`, { token: state.session.token });
  } catch (err) {
    if (err.status === 401) return;
    $("kpi-error").hidden = false;
    $("kpi-error").textContent = err.text ? err.text() : String(err);
    return;
  }
  $("kpi-records-card").hidden = true;
  render();
  document.body.dataset.kpiReady = "1";
}

async function exportXlsx() {
  const resp = await fetch(`/api/v1/kpi/export.xlsx?${query()}`, { credentials: "same-origin" });
  if (!resp.ok) return;
  const url = URL.createObjectURL(await resp.blob());
  const link = el("a", { href: url, download: `yardstick-${state.month}.xlsx` });
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

async function main() {
  state.session = loadSession();
  if (!state.session) {
    goToLogin();
    return;
  }
  mountLangToggle($("lang-toggle"));
  $("user-name").textContent = state.session.user?.display_name || state.session.user?.username || "";
  $("logout").addEventListener("click", () => logout(state.session, null));
  const params = new URLSearchParams(window.location.search);
  const now = new Date(Date.now() + 8 * 3600 * 1000);
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  state.month = params.get("month") || last.toISOString().slice(0, 7);
  $("kpi-month").value = state.month;
  $("kpi-month").addEventListener("change", () => {
    if (!$("kpi-month").value) return;
    state.month = $("kpi-month").value;
    load();
  });
  $("kpi-export").addEventListener("click", exportXlsx);
  $("kpi-print").addEventListener("click", () => window.print());
  onLangChange(render);
  await load();
}

main();
