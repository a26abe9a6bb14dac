"""Supervision (督): supervised tasks, 日清零, inspections, the risk register, audit review."""
