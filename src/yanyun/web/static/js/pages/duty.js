// Duty (勤务): the station roster with the crew of each unit, duty levels with their
// shortfall, and school-gate posts with clock-in and the compliance report. Every
// panel reads /api/v1/duty/... (its JSON twin); unit status comes from command's
// /api/v1/units, and live events keep both current: a unit becomes available in
// command only when duty's roster puts someone on duty in it.

import { goToLogin, loadSession } from "../lib/api.js";
import { el } from "../lib/dom.js";
import { applyI18n, mountLangToggle, onLangChange, t } from "../lib/i18n.js";
import { logout, renderConnBanner, startPageLive } from "../lib/page.js";
import {
  addRequirementRow,
  loadLevels,
  localInput,
  raiseLevel,
  renderAreas,
  renderLevels,
  requirementOptions,
} from "./duty/levels.js";
import { loadRoster, renderOfficers, renderRoster, scheduleRosterReload } from "./duty/roster.js";
import { clockIn, loadReport, loadSchool, onPostChange, renderReport } from "./duty/school-posts.js";
import { $, call, dt, errText, shanghaiDay, state, toast } from "./duty/state.js";

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
