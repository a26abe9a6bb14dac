// Labels of the supervision pages (督察督办), zh-CN first; the language itself is i18n.js's.

import { getLang } from "../lib/i18n.js";

const TEXT = {
  area: ["督察督办", "Supervision"],
  nav_worklist: ["工作清单", "Work list"],
  nav_board: ["日清零看板", "Clearing board"],
  nav_risks: ["风险台账", "Risk register"],
  nav_audit: ["审计查询", "Audit viewer"],
  work_title: ["今日工作清单", "Today's work list"],
  board_title: ["日清零看板", "Daily clearing board"],
  risks_title: ["风险隐患台账", "Risk register"],
  audit_title: ["审计查询", "Audit viewer"],
  scope_mine: ["我的任务", "My tasks"],
  scope_unit: ["本单位", "My unit"],
  col_overdue: ["已逾期", "Overdue"],
  col_due: ["今日到期", "Due today"],
  col_done: ["今日办结", "Done today"],
  work_day: ["{d}（北京时间）", "{d} (Beijing time)"],
  no_tasks: ["暂无", "None"],
  due_at: ["截止 {t}", "due {t}"],
  level: ["已升级{n}级", "escalated ×{n}"],
  act_start: ["开始办理", "Start"],
  act_done: ["办结", "Done"],
  act_verify: ["核验", "Verify"],
  act_reject: ["退回", "Reject"],
  reject_reason: ["退回理由：", "Reason for rejecting:"],
  acted: ["已更新：{t}", "Updated: {t}"],
  day_prev: ["前一天", "Previous day"],
  day_next: ["后一天", "Next day"],
  kind_station: ["派出所", "Stations"],
  kind_branch: ["分局", "Branch bureaus"],
  kind_bureau: ["市局", "City bureau"],
  kind_all: ["全部", "All units"],
  sum_due: ["应清零", "Due"],
  sum_cleared: ["已清零", "Cleared"],
  sum_escalated: ["已升级", "Escalated"],
  sum_pending: ["待清零", "Pending"],
  sum_rate: ["清零率", "Clearing rate"],
  th_unit: ["单位", "Unit"],
  board_empty: ["当日无应清零任务", "No tasks were due on this day"],
  board_closed: ["当日已清零结算", "Day closed"],
  board_open: ["当日未结算", "Day still open"],
  only_overdue: ["仅显示逾期未检", "Overdue only"],
  coverage_title: ["检查覆盖率（按单位）", "Inspection coverage by unit"],
  points_title: ["风险点", "Risk points"],
  th_points: ["风险点", "Points"],
  th_on_time: ["按期检查", "On time"],
  th_overdue: ["逾期", "Overdue"],
  th_coverage: ["覆盖率", "Coverage"],
  th_name: ["名称", "Name"],
  th_category: ["类别", "Category"],
  th_level: ["等级", "Level"],
  th_owner: ["责任人", "Owner"],
  th_next_due: ["下次检查", "Next check"],
  risk_total: ["共 {n} 个风险点", "{n} risk points"],
  overdue_tag: ["逾期", "overdue"],
  check_btn: ["登记检查", "Record check"],
  check_passed: ["检查是否通过？（确定=通过，取消=发现问题）", "Did the check pass? (OK = passed, Cancel = findings)"],
  f_username: ["用户名", "User name"],
  f_role: ["角色", "Role"],
  f_action: ["操作", "Action"],
  f_resource: ["资源类型", "Resource type"],
  f_purpose: ["用途包含", "Purpose contains"],
  f_since: ["开始", "From"],
  f_until: ["结束", "Until"],
  f_personal: ["仅个人信息查询", "Personal-data reads only"],
  search_btn: ["查询", "Search"],
  sample_btn: ["抽查个人信息查询", "Sample personal-data reads"],
  sample_title: ["抽查样本", "Review sample"],
  sample_meta: ["总体 {p} 条，抽取 {n} 条（随机种子 {s}）", "{n} of {p} drawn (seed {s})"],
  sample_need_range: ["请先填写开始和结束时间", "Fill in the From and Until times first"],
  th_time: ["时间", "Time"],
  th_user: ["用户", "User"],
  th_role: ["角色", "Role"],
  th_action: ["操作", "Action"],
  th_resource: ["资源", "Resource"],
  th_purpose: ["用途", "Purpose"],
  th_case: ["案件编号", "Case"],
  th_review: ["审查结论", "Review"],
  rv_justified: ["合规", "Justified"],
  rv_questionable: ["存疑", "Questionable"],
  rv_violation: ["违规", "Violation"],
  rv_note: ["请写明理由：", "Give the reason:"],
  results: ["{n} 条记录", "{n} entries"],
  personal: ["个人信息", "personal data"],
  source_prefix: ["来源：", "Source: "],
};

export function ot(key, vars = {}) {
  const entry = TEXT[key];
  let text = entry ? entry[getLang() === "en" ? 1 : 0] : key;
  for (const [name, value] of Object.entries(vars)) {
    text = text.split(`{${name}}`).join(String(value));
  }
  return text;
}

/** Fill every [data-o] element with its supervision label. */
export function applyOversightText(root = document) {
  for (const el of root.querySelectorAll("[data-o]")) el.textContent = ot(el.dataset.o);
}
