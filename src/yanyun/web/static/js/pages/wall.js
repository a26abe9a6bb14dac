// The commander's wall (指挥大屏): today's incidents by hour and category against
// the same day last week, 1-3-5 compliance by district, units by status and the
// open incidents. The page loads the day once (GET /api/v1/dashboard/day, its
// JSON twin) and then follows the live events: each event updates one incident
// row or one unit, and the charts are recomputed here. It asks the server for
// the whole day again only when the bureau's day changes.

import { ApiError, goToLogin, loadSession } from "../lib/api.js";
import { mountLangToggle, onLangChange } from "../lib/i18n.js";
import { logout, startPageLive } from "../lib/page.js";
import { initCharts } from "./wall/charts.js";
import { figures } from "./wall/figures.js";
import { onEvent, renderBanner } from "./wall/live.js";
import { loadDay, renderAll, renderText, tick } from "./wall/panels.js";
import { seedEmergencies, renderEmergencies } from "./wall/sos.js";
import { $, state, wt } from "./wall/state.js";

async function main() {
  state.session = loadSession();
  if (!state.session) {
    goToLogin();
    return;
  }
  mountLangToggle($("lang-toggle"));
  renderText();
  try {
    await loadDay();
  } catch (err) {
    document.body.classList.remove("is-pending");
    if (err.status === 401) return;
    $("wall-error").hidden = false;
    $("wall-error").textContent = wt("load_error", { msg: err instanceof ApiError ? err.text() : String(err) });
    return;
  }
  document.body.classList.remove("is-pending");
  initCharts();
  $("logout").addEventListener("click", () => logout(state.session, state.live));
  onLangChange(() => {
    renderText();
    renderAll();
    renderEmergencies();
  });
  renderAll();
  seedEmergencies();
  tick();
  setInterval(tick, 1000);
  state.live = startPageLive({
    token: state.session.token,
    onState: (s) => {
      state.liveState = s;
      renderBanner();
    },
    onEvent,
    retryButton: $("conn-retry"),
  });
  document.body.dataset.wallReady = "1";
}

// A small handle for operators and the browser tests.
window.yanyunWall = {
  figures: () => {
    const f = figures();
    return { ...f, byCategory: Object.fromEntries(f.byCategory), open: f.open.map((r) => r.id) };
  },
  series: (chart) => (state.charts[chart]?.getOption().series || []).map((s) => ({
    id: s.id, name: s.name, data: s.data.map((d) => (d && typeof d === "object" ? d.value : d)),
  })),
  axis: (chart) => {
    const o = state.charts[chart]?.getOption();
    return o ? [...(o.xAxis?.[0]?.data || []), ...(o.yAxis?.[0]?.data || [])] : [];
  },
  live: () => ({ ...state.liveState, lastId: state.live?.lastId ?? 0 }),
};

main();
