"""Where the shared seeds and data sit beside the checkout (CI: ../shared)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    """`$YANYUN_SHARED_DIR`, else ../shared beside the repo (or beside a worktree's parent)."""
    if os.environ.get("YANYUN_SHARED_DIR"):
        return Path(os.environ["YANYUN_SHARED_DIR"])
    for candidate in (REPO.parent / "shared", REPO.parent.parent / "shared"):
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared"


SEEDS = shared_dir() / "seeds"
