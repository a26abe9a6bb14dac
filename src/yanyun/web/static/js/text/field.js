// Labels of the field app (一线), zh-CN first; the language itself is i18n.js's.

import { makeTranslator } from "../lib/i18n.js";

const TEXT = {
  ring_title: ["新派警指令", "New dispatch"],
  ring_text: ["{n} {c}：请立即签收", "{n} {c}: acknowledge now"],
  signon_title: ["上岗：选择本班警力单元", "Sign on: choose your unit for this shift"],
  no_units: ["辖区内没有可选的警力单元", "No units in your area"],
  idle: ["暂无派警，保持在岗", "No dispatch. Stay on duty."],
  unit_line: ["{u} · {s}", "{u} · {s}"],
  not_signed_on: ["未上岗", "Not signed on"],
  priority: ["{p}级", "P{p}"],
  received: ["接警 {t}", "Received {t}"],
  arrival_clock: ["到场计时 {m}:{s} / 目标 {target} 分钟", "Arrival {m}:{s} / target {target} min"],
  arrived_at: ["已到场 {t}", "Arrived {t}"],
  caller: ["报警人 {p}", "Caller {p}"],
  navigate: ["导航前往（高德地图）", "Navigate (Amap)"],
  ack: ["签收出发", "Acknowledge and go"],
  arrive: ["到场", "Arrived"],
  clear: ["处置完毕…", "Finish…"],
  clear_title: ["处置完毕", "Finish at the scene"],
  outcome: ["处置结果", "Outcome"],
  note: ["情况说明", "What happened"],
  clear_send: ["提交处置结果", "Send outcome"],
  signoff: ["下岗", "Sign off"],
  online: ["在线", "Online"],
  offline: ["离线", "Offline"],
  pending: ["待同步 {n} 项", "{n} waiting to sync"],
  synced: ["已同步", "Synced"],
  conflict_head: ["未执行：", "Not applied: "],
  status_dispatched: ["已派警", "Dispatched"],
  status_en_route: ["出警途中", "En route"],
  status_on_scene: ["到达现场", "On scene"],
  status_available: ["可用", "Available"],
  status_out_of_service: ["暂停", "Out of service"],
  status_resolved: ["已处置", "Resolved"],
  status_cancelled: ["已撤销", "Cancelled"],
  pin_label: ["一键求助撤销密码（4-8位数字，可不设）", "PIN to cancel a call for help (4-8 digits, optional)"],
  pin_bad: ["撤销密码须为4-8位数字", "The PIN is 4 to 8 digits"],
  sos_hold: ["按住 2 秒 一键求助", "Hold 2 s: call for help"],
  sos_on: ["求助已发出，支援正在赶来", "Help is called and on its way"],
  sos_waiting: ["求助待发送：网络恢复后立即发出", "Call for help waiting for the network"],
  sos_cancel_pin: ["输入撤销密码解除求助", "Enter your PIN to call it off"],
  sos_cancel: ["解除求助", "Call off"],
  status_emergency: ["紧急求助", "Emergency"],
  photos: ["现场照片", "Scene photos"],
  photo_refused: ["照片未上传：{msg}", "Photo not uploaded: {msg}"],
  load_error: ["加载失败：{msg}", "Failed to load: {msg}"],
};

export const f = makeTranslator(TEXT);

/** Fill every [data-f] element's text with its label. */
export function applyFieldText(root = document) {
  for (const node of root.querySelectorAll("[data-f]")) node.textContent = f(node.dataset.f);
}
