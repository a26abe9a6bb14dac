// Labels in zh-CN (first) and English; the choice is remembered in localStorage.

const STORAGE_KEY = "yanyun.lang";
const LANGS = { zh: "zh-CN", en: "en" };

const TEXT = {
  app_name: ["雁云", "yanyun"],
  app_tagline: ["警务综合指挥平台", "Integrated policing operations"],
  login_title: ["登录", "Log in"],
  login_hint: ["请使用本局分配的账号登录", "Log in with the account your bureau issued"],
  username: ["用户名", "User name"],
  password: ["密码", "Password"],
  login_button: ["登录", "Log in"],
  login_missing: ["请输入用户名和密码", "Enter your user name and password"],
  login_pending: ["正在登录…", "Logging in…"],
  login_throttled: ["登录失败次数过多，请 {s} 秒后再试", "Too many failed logins; try again in {s} s"],
  login_session_expired: ["登录已失效，请重新登录", "Your session has ended; please log in again"],
  login_logged_out: ["已退出登录", "You have logged out"],
  network_error: ["无法连接服务器，请检查网络后重试", "Cannot reach the server; check the network and retry"],
  unknown_error: ["请求失败（{status}）", "Request failed ({status})"],
  login_footer: ["仅限授权人员使用，操作全程留痕审计", "Authorised personnel only; all actions are audited"],

  map_title: ["指挥地图", "Command map"],
  nav_console: ["接警调度台", "Dispatcher console"],
  nav_wall: ["指挥大屏", "Command wall"],
  sum_districts: ["辖区", "Districts"],
  sum_stations: ["派出所", "Stations"],
  sum_grids: ["网格", "Grids"],
  sum_area: ["面积", "Area"],
  logout: ["退出", "Log out"],
  lang_toggle_label: ["界面语言", "Interface language"],

  conn_connecting: ["正在连接实时事件…", "Connecting to live events…"],
  conn_connected: ["实时连接正常", "Live events connected"],
  conn_reconnecting: ["实时连接中断，{s} 秒后重连（第 {n} 次）", "Live events disconnected; reconnecting in {s} s (attempt {n})"],
  conn_reconnecting_now: ["实时连接中断，正在重连…", "Live events disconnected; reconnecting…"],
  conn_denied: ["无权订阅实时事件", "Not allowed to follow live events"],
  conn_retry: ["立即重连", "Retry now"],
  conn_last_event: ["最新事件 #{id} {kind} {time}", "Latest event #{id} {kind} {time}"],
  conn_no_events: ["暂无新事件", "No new events"],

  lookup_title: ["位置查询", "Point lookup"],
  lookup_hint: ["点击地图，查询该点所属辖区、派出所和网格", "Click the map to find the district, station and grid of a point"],
  lookup_pending: ["查询中…", "Looking up…"],
  lookup_outside: ["不在本市辖区", "Outside jurisdiction"],
  lookup_district: ["辖区", "District"],
  lookup_station: ["派出所", "Station"],
  lookup_grid: ["网格", "Grid"],
  lookup_coords: ["坐标", "Coordinates"],

  layers_title: ["图层", "Layers"],
  layer_districts: ["辖区边界", "District boundaries"],
  layer_stations: ["派出所", "Police stations"],
  layer_grids: ["网格", "Grids"],
  grids_zoom_in: ["放大至 {z} 级以上显示网格（当前 {cur} 级）", "Zoom to level {z} or closer to show grids (now {cur})"],
  grids_loading: ["正在加载网格…", "Loading grids…"],
  grids_shown: ["显示 {n} 个网格", "{n} grids shown"],
  grids_capped: ["已显示前 {n} 个网格，请继续放大查看全部", "First {n} grids shown; zoom in to see them all"],
  grids_hidden: ["网格图层已关闭", "Grid layer is off"],
  grids_error: ["网格加载失败：{msg}", "Grids failed to load: {msg}"],

  circle_tip: ["{name} · {m} 分钟到场圈 · 半径 {km} 公里", "{name} · {m}-minute circle · radius {km} km"],
  layer_circles: ["1-3-5 快反圈", "1-3-5 response circles"],

  legend_title: ["图例", "Legend"],
  legend_urban: ["城区", "Urban district"],
  legend_rural: ["县（市）", "County / city"],
  legend_grade: ["{g}级派出所", "Grade {g} station"],
  legend_grid: ["网格", "Grid"],

  basemap: ["底图", "Base map"],
  basemap_none: ["无（仅矢量图层）", "None (vector layers only)"],
  basemap_tiles: ["瓦片 · {crs}", "Tiles · {crs}"],
  basemap_shifted: ["矢量已转换为 GCJ-02 以对齐底图", "Vectors shifted to GCJ-02 to match the tiles"],

  grade: ["等级", "Grade"],
  station_grade: ["{g}级派出所", "Grade {g} station"],
  station_command_room: ["指挥室", "Command room"],
  station_mediation_room: ["调解室", "Mediation room"],
  yes: ["有", "Yes"],
  no: ["无", "No"],
  code: ["编码", "Code"],

  zoom_in: ["放大", "Zoom in"],
  zoom_out: ["缩小", "Zoom out"],
  load_error: ["地图数据加载失败：{msg}", "Map data failed to load: {msg}"],
};

const listeners = new Set();
let chosen = null;

export function getLang() {
  if (chosen) return chosen;
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    saved = null;
  }
  return saved === "en" ? "en" : "zh";
}

export function htmlLang(lang = getLang()) {
  return LANGS[lang];
}

/** The message of an API error, or of a {zh-CN, en} pair, in the current language. */
export function pick(pair) {
  if (!pair) return "";
  if (typeof pair === "string") return pair;
  return getLang() === "en" ? pair.en || pair["zh-CN"] : pair["zh-CN"] || pair.en;
}

/**
 * A label lookup over a page's own table of [zh, en] pairs: the returned
 * function takes a key and {name} placeholder values, in the current language.
 */
export function makeTranslator(table) {
  return (key, vars = {}) => {
    const entry = table[key];
    let text = entry ? entry[getLang() === "en" ? 1 : 0] : key;
    for (const [name, value] of Object.entries(vars)) {
      text = text.split(`{${name}}`).join(String(value));
    }
    return text;
  };
}

export const t = makeTranslator(TEXT);

export function fmtNumber(value, digits = 0) {
  return new Intl.NumberFormat(getLang() === "en" ? "en-US" : "zh-CN", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/** Fill every [data-i18n] element's text and [data-i18n-<attr>] attribute. */
export function applyI18n(root = document) {
  document.documentElement.lang = htmlLang();
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const attr of ["placeholder", "title", "aria-label"]) {
    const key = `data-i18n-${attr}`;
    for (const el of root.querySelectorAll(`[${key}]`)) {
      el.setAttribute(attr, t(el.getAttribute(key)));
    }
  }
}

export function onLangChange(fn) {
  listeners.add(fn);
}

export function setLang(lang) {
  chosen = lang === "en" ? "en" : "zh";
  try {
    localStorage.setItem(STORAGE_KEY, lang === "en" ? "en" : "zh");
  } catch {
    // Private modes may refuse storage; the choice then lasts for this page only.
  }
  applyI18n();
  for (const fn of listeners) fn(getLang());
}

/** Wire a 中文/English segmented toggle: buttons carry data-lang="zh" or "en". */
export function mountLangToggle(container) {
  const buttons = [...container.querySelectorAll("button[data-lang]")];
  const sync = () => {
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.lang === getLang()));
  };
  for (const b of buttons) {
    b.addEventListener("click", () => {
      setLang(b.dataset.lang);
      sync();
    });
  }
  sync();
}
