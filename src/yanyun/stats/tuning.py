"""The parameter grids each method is tuned over, on a period before the one reported."""

from __future__ import annotations

from typing import Any

GRIDS: dict[str, dict[str, list[Any]]] = {
    "counts": {"window_days": [28, 91, 182, 365, 730]},
    "retro": {"window_days": [91, 365, 730], "bandwidth_m": [150.0, 300.0, 450.0]},
    "prospective": {"window_days": [28, 56, 112], "bandwidth_m": [150.0, 300.0, 450.0]},
    "etas": {"background_smooth_m": [0.0, 150.0, 300.0], "train_days": [365, 730]},
    # one fit of the boosted model costs more than a whole baseline backtest;
    # it learns its own windows and spread from the lagged features instead
    "boosted": {},
}
