// Labels of the public tip page (线索举报), zh-CN first.

import { makeTranslator } from "../lib/i18n.js";

const TEXT = {
  title: ["线索举报", "Report a tip"],
  subtitle: ["无需注册，可匿名", "No account needed; you may stay anonymous"],
  urgent: ["紧急情况请直接拨打 110", "In an emergency, call 110"],
  what: ["您看到了什么（必填）", "What did you see (required)"],
  where: ["在哪里", "Where"],
  use_location: ["附上我当前的位置", "Attach my current location"],
  phone: ["联系电话（可不填）", "Phone to reach you (optional)"],
  send: ["提交举报", "Send"],
  sending: ["正在提交（本机需计算约1-3秒）…", "Sending (your phone works for 1-3 s)…"],
  need_text: ["请至少写5个字说明情况", "Please write at least 5 characters"],
  receipt_title: ["已受理，请保存以下信息", "Received. Keep these to follow your tip"],
  number: ["举报编号", "Tip number"],
  code: ["查询码", "Receipt code"],
  lookup_title: ["查询举报处理情况", "Follow a tip"],
  lookup: ["查询", "Look up"],
  received_at: ["受理时间 {t}", "Received {t}"],
  no_location: ["无法取得位置，将不附位置提交", "No location available; sending without it"],
};

export const tt = makeTranslator(TEXT);

export function applyTipText(root = document) {
  for (const node of root.querySelectorAll("[data-t]")) node.textContent = tt(node.dataset.t);
}
