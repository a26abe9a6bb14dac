"""Events of case work 合成作战: a case opened at another context's request.

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
