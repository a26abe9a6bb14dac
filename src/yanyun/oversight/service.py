"""Supervision's service facade: tasks (督办), the work list, 日清零 and recurring duties.

The work lives in modules named for it; this module keeps the names the
routes, the handlers, the jobs and the benchmarks import from here.

- `tasks`: tasks opened, looked up, listed and moved along their lifecycle;
- `task_trail`: a task's steps and change announcements;
- `ledger`: the clearing ledger's lines;
- `clearing`: the daily clearing and its board;
- `worklist`: today's work;
- `recurring`: the recurring duties' tasks.
"""

from __future__ import annotations

from yanyun.oversight.clearing import BoardLine, clearing_board, run_clearing
from yanyun.oversight.recurring import DUTIES, Duty, duties_on, generate_recurring
from yanyun.oversight.tasks import (
    DONE,
    MAX_DUE_AHEAD,
    MOVES,
    OPEN,
    act,
    create_manual_task,
    create_task,
    get_task,
    list_tasks,
    steps_of,
    visible_tasks,
)
from yanyun.oversight.worklist import work_list

__all__ = [
    "DONE",
    "DUTIES",
    "MAX_DUE_AHEAD",
    "MOVES",
    "OPEN",
    "BoardLine",
    "Duty",
    "act",
    "clearing_board",
    "create_manual_task",
    "create_task",
    "duties_on",
    "generate_recurring",
    "get_task",
    "list_tasks",
    "run_clearing",
    "steps_of",
    "visible_tasks",
    "work_list",
]
