"""Events of case work 合成作战: something was added to a case's timeline."""

from __future__ import annotations

from yanyun.core.events import Event


class CaseChanged(Event):
    """A case's timeline grew (a member, a task or its progress, a note, a watch hit).

    Only names the case and what kind of entry: an open workspace of the case
    reads it again (with the reader's own rights) instead of polling. Its
    audience is the case's members, who may sit in any unit.
    """

    kinds = ("case.changed",)
    resource_type = "case"
    read_permission = "cases:read"

    case_id: str
    number: str
    what: str
