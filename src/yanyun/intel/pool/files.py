"""A dataset's files and the manifest that names them, written atomically and fsynced.

Readers see exactly the files the manifest names; a change replaces the
manifest in one atomic rename (write, fsync, rename, fsync the folder), so a
crash leaves either the old manifest or the new one.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "_manifest.json"
LOCK = ".writer.lock"


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


@dataclass
class FileEntry:
    path: str
    tier: str  # "part" (one batch), "day" (compacted day), "month" (sealed month)
    first_day: str
    last_day: str
    rows: int
    min_ms: int
    max_ms: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileEntry:
        return cls(**data)


@dataclass
class Manifest:
    version: int = 0
    files: list[FileEntry] = field(default_factory=list)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "files": [vars(f) for f in self.files],
            "batches": self.batches,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            version=data["version"],
            files=[FileEntry.from_json(f) for f in data["files"]],
            batches=data.get("batches", {}),
        )


@dataclass(frozen=True)
class AppendResult:
    batch_id: str
    rows: int
    files: tuple[str, ...]
    duplicate: bool
    recorded: dict[str, Any]
