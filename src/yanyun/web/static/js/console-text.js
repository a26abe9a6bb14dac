// Labels of the dispatcher console, zh-CN first; the language itself is i18n.js's.

import { makeTranslator } from "./i18n.js";

const TEXT = {
  console_title: ["接警调度台", "Dispatcher console"],
  nav_wall: ["指挥大屏", "Command wall"],
  layer_stations: ["派出所", "Stations"],
  layer_circles: ["1-3-5 快反圈", "1-3-5 response circles"],
  layer_grids: ["网格（放大后显示）", "Grids (zoom in)"],
  sum_open: ["在办警情", "Open"],
  sum_waiting: ["待派警", "Awaiting dispatch"],
  sum_breached: ["超时", "Breached"],
  sum_available: ["可用警力", "Units available"],
  intake_title: ["接警录入", "Call intake"],
  intake_placeholder: ["记录报警人所述：地点、时间、事由…（Ctrl+Enter 立案）",
    "What the caller says: place, time, what happened… (Ctrl+Enter to open)"],
  field_category: ["警情类别", "Category"],
  field_priority: ["等级", "Priority"],
  choose_category: ["— 请选择类别 —", "— choose a category —"],
  create_btn: ["立案 Ctrl+Enter", "Open incident Ctrl+Enter"],
  creating: ["正在立案…", "Opening…"],
  created: ["已立案 {n}", "Opened {n}"],
  need_text: ["请先记录警情内容", "Write down what the caller says first"],
  need_location: ["请确认地点：点击地图选择", "Confirm the place: click the map"],
  need_category: ["请选择警情类别", "Choose a category"],
  sg_place: ["地点", "Place"],
  sg_time: ["时间", "Time"],
  sg_category: ["类别", "Category"],
  sg_priority: ["等级", "Priority"],
  sg_from: ["依据「{w}」", "from “{w}”"],
  sg_map_pick: ["地图选点", "picked on the map"],
  sg_none: ["未识别", "not found"],
  sg_manual: ["需人工确认地点，请点击地图", "Place needs confirming: click the map"],
  sg_parsing: ["识别中…", "Parsing…"],
  priority_n: ["{p}级", "P{p}"],
  queue_title: ["警情队列", "Incident queue"],
  queue_empty: ["暂无在办警情", "No open incidents"],
  map_label: ["调度地图", "Dispatch map"],
  detail_title: ["警情详情", "Incident detail"],
  detail_empty: ["选择左侧警情查看详情；录入新警情后自动选中", "Select an incident on the left; a new one is selected automatically"],
  detail_clock: ["1-3-5 计时", "1-3-5 clock"],
  clock_dispatch: ["派警目标 {t}", "dispatch target {t}"],
  clock_arrival: ["到场目标 {t}", "arrival target {t}"],
  recs_title: ["推荐警力", "Recommended units"],
  recs_hint: ["按数字键 1–5 派出对应警力", "Press 1–5 to dispatch that unit"],
  recs_none: ["暂无可派警力", "No units available"],
  recs_loading: ["正在计算推荐…", "Ranking units…"],
  eta: ["约 {m} 分钟", "≈ {m} min"],
  dispatch_btn: ["派警", "Dispatch"],
  dispatching: ["派警中…", "Dispatching…"],
  dispatched_ok: ["已派出 {u}", "{u} dispatched"],
  timeline_title: ["处置时间线", "Timeline"],
  tl_assigned: ["派出警力", "unit sent"],
  tl_note: ["备注", "note"],
  note_placeholder: ["添加备注（N 键聚焦，回车保存）", "Add a note (N to focus, Enter to save)"],
  note_add: ["添加", "Add"],
  note_added: ["备注已保存", "Note saved"],
  dups_title: ["疑似重复警情", "Possible duplicates"],
  dups_hint: ["同类、时间地点相近", "same category, close in place and time"],
  dup_apart: ["相距 {m} 米 · {min} 分钟", "{m} m · {min} min apart"],
  dup_merge: ["并入本警情", "Merge into this"],
  dup_merged: ["已将 {n} 并入本警情", "{n} merged into this incident"],
  calls_title: ["报警记录", "Calls"],
  assigned_title: ["已派警力", "Assigned units"],
  narrative_title: ["警情内容", "Narrative"],
  station: ["派出所", "Station"],
  received: ["接警", "Received"],
  load_error: ["数据加载失败：{msg}", "Data failed to load: {msg}"],
  unit_available: ["可用", "available"],
  unit_dispatched: ["已派", "dispatched"],
  unit_en_route: ["途中", "en route"],
  unit_on_scene: ["到场", "on scene"],
  unit_out_of_service: ["停用", "out of service"],
  kind_patrol_car: ["巡逻车", "patrol car"],
  kind_motorcycle: ["摩托", "motorcycle"],
  kind_fixed_post: ["岗亭", "fixed post"],
  kind_quick_response: ["快反", "quick response"],
};

/** A console label in the current language, with {name} placeholders filled. */
export const ct = makeTranslator(TEXT);

/** Fill [data-c] text and [data-c-placeholder] / [data-c-aria-label] attributes. */
export function applyConsoleText(root = document) {
  for (const node of root.querySelectorAll("[data-c]")) node.textContent = ct(node.dataset.c);
  for (const attr of ["placeholder", "aria-label"]) {
    for (const node of root.querySelectorAll(`[data-c-${attr}]`)) {
      node.setAttribute(attr, ct(node.getAttribute(`data-c-${attr}`)));
    }
  }
}
