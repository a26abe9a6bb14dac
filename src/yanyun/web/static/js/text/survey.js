// The public callback form's text, zh-CN first, then English.

export const TEXT = {
  title: ["警情回访", "How did we do?"],
  subtitle: ["您的评价帮助我们改进", "Your answer helps us improve"],
  question: ["您对此次报警的处置结果满意吗？", "Were you satisfied with how your call was handled?"],
  satisfied: ["满意", "Satisfied"],
  fair: ["基本满意", "Fairly satisfied"],
  unsatisfied: ["不满意", "Unsatisfied"],
  reason: ["原因或建议（不满意时必填）", "Why, or a suggestion (needed if unsatisfied)"],
  send: ["提交", "Send"],
  pick: ["请选择一项", "Please choose one"],
  need_reason: ["请说明不满意的原因", "Please say why you were unsatisfied"],
  thanks: ["感谢您的评价", "Thank you for your answer"],
  invalid: ["链接无效或已失效", "The link is invalid, used or expired"],
  failed: ["提交失败，请稍后再试", "Could not send; please try again later"],
};
