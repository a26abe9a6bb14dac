// Labels of the volunteer's phone (义警端), zh-CN first.

import { makeTranslator } from "../lib/i18n.js";

const TEXT = {
  title: ["义警 一呼百应", "Volunteer call-outs"],
  hours: ["累计服务 {h} 小时", "{h} hours served"],
  ring_title: ["新的一呼百应", "New call-out"],
  ring_text: ["{t}：请接受或拒绝", "{t}: accept or decline"],
  calls: ["我的呼叫", "My calls"],
  no_calls: ["暂无呼叫。保持手机畅通。", "No call-outs. Keep your phone at hand."],
  distance: ["距您约 {d} 米，预计 {m} 分钟", "About {d} m away, {m} min"],
  called_at: ["呼叫时间 {t}", "Called {t}"],
  accept: ["接受", "Accept"],
  decline: ["拒绝", "Decline"],
  withdraw: ["无法前往", "Can't go"],
  arrive: ["我已到达", "I've arrived"],
  arrive_hint: ["到达现场 {r} 米内再点", "Tap within {r} m of the place"],
  arrived: ["已到场，听从民警指挥", "On scene: follow the officers' lead"],
  stood_down: ["已解散，感谢参与", "Stood down. Thank you."],
  declined: ["已拒绝", "Declined"],
  navigate: ["导航前往（高德地图）", "Navigate (Amap)"],
  activities: ["最近服务", "Recent service"],
  activity_line: ["{k} · {h} 小时 · {t}", "{k} · {h} h · {t}"],
  queued: ["离线：{n} 项操作待发送", "Offline: {n} answers waiting"],
  sent_twice: ["该操作已提交过，未重复执行", "Already sent: applied once"],
  no_fix: ["无法获取定位，请打开手机定位后重试", "No position: turn on location and retry"],
  online: ["在线", "Online"],
  offline: ["离线", "Offline"],
  load_error: ["加载失败：{msg}", "Could not load: {msg}"],
};

export const v = makeTranslator(TEXT);

export function applyVolunteerText(root = document) {
  for (const node of root.querySelectorAll("[data-v]")) node.textContent = v(node.dataset.v);
}
