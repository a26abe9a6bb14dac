"""Events of case work 合成作战: a case opened at another context's request, and
something added to a case's timeline.

Anti-fraud asks for a fraud case with ``antifraud.case_requested``; the case
answers with :class:`FraudCaseOpened` so the warning can show (and open) it.
"""

from __future__ import annotations

from yanyun.core.events import Event


class FraudCaseOpened(Event):
    """A fraud case opened for a warning (or found already opened for it)."""

    kinds = ("cases.fraud_case_opened",)
    resource_type = "case"
    read_permission = "cases:read"

    case_id: str
    case_number: str
    warning_id: str
    warning_number: str


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
