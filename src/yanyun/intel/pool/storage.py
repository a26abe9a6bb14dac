"""A dataset's single writer: appends and bulk loads made durable and visible at once.

Every write follows one order: write the new file, fsync it and its folder,
atomically replace the manifest, and only then delete what it replaced. The
batch ledger sits in the manifest, so a batch id is recorded in the same swap
that makes its rows visible and a re-sent batch is recognised.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from yanyun.intel.pool.datasets import DATASETS, DatasetSpec
from yanyun.intel.pool.files import (
    LOCK,
    MANIFEST,
    AppendResult,
    FileEntry,
    Manifest,
    fsync_dir,
    write_json_atomic,
)
from yanyun.intel.pool.maintenance import DatasetMaintenance
from yanyun.intel.pool.partitions import day_label, day_of_ms


class CrashPoint(Exception):
    """Raised by an injected failure point (tests); a subprocess test uses SIGKILL instead."""


_PROCESS_LOCKS: dict[str, threading.RLock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def _process_lock(path: Path) -> threading.RLock:
    with _PROCESS_LOCKS_GUARD:
        return _PROCESS_LOCKS.setdefault(str(path.resolve()), threading.RLock())


class Dataset(DatasetMaintenance):
    """One dataset of the pool; all writes pass through its single writer lock.

    The lock is a thread lock within the process and an exclusive `flock` on
    the folder across processes, so two servers or a server and a CLI command
    never write the same dataset at once.
    """

    def __init__(
        self,
        lake: Path,
        spec: DatasetSpec,
        *,
        row_group_rows: int = 4096,
        failpoint: Callable[[str], None] | None = None,
    ) -> None:
        self.spec = spec
        self.root = Path(lake) / spec.name
        self.root.mkdir(parents=True, exist_ok=True)
        self.row_group_rows = row_group_rows
        self._failpoint = failpoint or (lambda _name: None)
        self._lock = _process_lock(self.root)
        self._maintenance = _process_lock(self.root / ".maintenance")

    # -- reading -----------------------------------------------------------

    def manifest(self) -> Manifest:
        path = self.root / MANIFEST
        if not path.exists():
            return Manifest()
        return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))

    def files(self, *, start_ms: int | None = None, end_ms: int | None = None) -> list[FileEntry]:
        """Live files whose time range meets [start_ms, end_ms)."""
        return [
            f
            for f in self.manifest().files
            if (start_ms is None or f.max_ms >= start_ms) and (end_ms is None or f.min_ms < end_ms)
        ]

    def paths(self, entries: list[FileEntry] | None = None) -> list[str]:
        return [str(self.root / f.path) for f in (entries if entries is not None else self.files())]

    def read_all(self) -> pa.Table:
        paths = self.paths()
        if not paths:
            return self.spec.schema.empty_table()
        return pa.concat_tables(pq.read_table(p, schema=self.spec.schema) for p in paths)

    def row_count(self) -> int:
        return sum(f.rows for f in self.manifest().files)

    # -- writing -----------------------------------------------------------

    @contextlib.contextmanager
    def writer(self) -> Iterator[Manifest]:
        """Hold the single-writer lock; yields the manifest as it is now."""
        with self._lock:
            lock_path = self.root / LOCK
            with open(lock_path, "a") as lock_file:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
                try:
                    yield self.manifest()
                finally:
                    fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)

    def _swap_manifest(self, manifest: Manifest) -> None:
        manifest.version += 1
        write_json_atomic(self.root / MANIFEST, manifest.to_json())

    def _write_file(
        self, table: pa.Table, folder: str, prefix: str, compression: str = "zstd"
    ) -> str:
        """Write a table as a new immutable file: temp name, fsync, rename, fsync folder."""
        directory = self.root / folder
        directory.mkdir(parents=True, exist_ok=True)
        name = f"{prefix}-{uuid.uuid4().hex}.parquet"
        tmp = directory / f".{name}.tmp"
        with open(tmp, "wb") as fh:
            pq.write_table(
                table,
                fh,
                row_group_size=self.row_group_rows,
                **self._file_options(table, compression),
            )
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, directory / name)
        fsync_dir(directory)
        fsync_dir(self.root)
        return f"{folder}/{name}"

    def _file_options(self, table: pa.Table, compression: str = "zstd") -> dict[str, Any]:
        return {
            "compression": compression,
            "write_statistics": [c for c in (self.spec.key, self.spec.time_column) if c],
            "use_dictionary": ["kind", "camera", "batch_id", "reason"],
            "sorting_columns": self._sorting_columns(table),
        }

    def _sorting_columns(self, table: pa.Table) -> list[pq.SortingColumn]:
        names = table.schema.names
        return [pq.SortingColumn(names.index(c)) for c in self.spec.sort_by]

    def _sorted(self, table: pa.Table) -> pa.Table:
        return table.sort_by([(c, "ascending") for c in self.spec.sort_by])

    def _entry(self, rel: str, tier: str, table: pa.Table) -> FileEntry:
        ms = table.column(self.spec.time_column).cast(pa.int64()).to_numpy()
        days = day_of_ms(ms)
        return FileEntry(
            path=rel,
            tier=tier,
            first_day=day_label(int(days.min())),
            last_day=day_label(int(days.max())),
            rows=table.num_rows,
            min_ms=int(ms.min()),
            max_ms=int(ms.max()),
        )

    def append(
        self,
        table: pa.Table,
        *,
        batch_id: str,
        record: dict[str, Any] | None = None,
        presorted: bool = False,
        received_ms: int | None = None,
    ) -> AppendResult:
        """Make a batch's rows durable and visible at once, or recognise it as already sent.

        Returns only after the files, the manifest and their folders are fsynced.
        Batch files are written with a fast codec; compaction recompresses.
        `presorted` says the table is already in the dataset's sort order.
        `received_ms` dates the batch in the ledger (`prune_ledger` forgets by it).
        """
        table = table.select(self.spec.schema.names).cast(self.spec.schema)
        with self.writer() as manifest:
            if batch_id in manifest.batches:
                known = manifest.batches[batch_id]
                return AppendResult(batch_id, known["rows"], tuple(known["files"]), True, known)
            new_entries: list[FileEntry] = []
            if table.num_rows:
                if not presorted:
                    table = self._sorted(table)
                ms = table.column(self.spec.time_column).cast(pa.int64()).to_numpy()
                days = day_of_ms(ms)
                for day in np.unique(days):
                    part = table.filter(pa.array(days == day))  # keeps the sort order
                    rel = self._write_file(part, f"day={day_label(int(day))}", "part", "snappy")
                    new_entries.append(self._entry(rel, "part", part))
            self._failpoint("append:files_written")
            recorded = {
                "rows": table.num_rows,
                "files": [e.path for e in new_entries],
                **(record or {}),
            }
            if received_ms is not None:
                recorded["received_ms"] = int(received_ms)
            manifest.files.extend(new_entries)
            manifest.batches[batch_id] = recorded
            self._swap_manifest(manifest)
            return AppendResult(
                batch_id, table.num_rows, tuple(e.path for e in new_entries), False, recorded
            )

    def load_month(
        self,
        year: int,
        month: int,
        chunks: Iterable[pa.Table],
        *,
        batch_id: str,
        record: dict[str, Any] | None = None,
        received_ms: int | None = None,
    ) -> AppendResult:
        """Bulk-load a month of history straight into its sealed, key-sorted file.

        For imports of history too large to pass through day files and a
        reseal (a year of a city is a billion rows): `chunks` arrive already in
        the dataset's sort order and are streamed into one file, so memory
        holds one chunk. The month must not hold rows yet. Same crash order as
        every write: file, fsync, rename, then the manifest names it.
        """
        prefix = f"{year:04d}-{month:02d}"
        with self.writer() as manifest:
            if batch_id in manifest.batches:
                known = manifest.batches[batch_id]
                return AppendResult(batch_id, known["rows"], tuple(known["files"]), True, known)
            if any(
                f.first_day.startswith(prefix) or f.last_day.startswith(prefix)
                for f in manifest.files
            ):
                raise ValueError(f"month {prefix} already holds rows; load into an empty month")
            rel, entry = self._write_stream(chunks, f"month={prefix}", "month")
            self._failpoint("append:files_written")
            recorded = {"rows": entry.rows if entry else 0, "files": [rel] if entry else []}
            recorded.update(record or {})
            if received_ms is not None:
                recorded["received_ms"] = int(received_ms)
            if entry is not None:
                manifest.files.append(entry)
            manifest.batches[batch_id] = recorded
            self._swap_manifest(manifest)
            return AppendResult(
                batch_id, recorded["rows"], tuple(recorded["files"]), False, recorded
            )

    def _write_stream(
        self, chunks: Iterable[pa.Table], folder: str, tier: str
    ) -> tuple[str, FileEntry | None]:
        directory = self.root / folder
        directory.mkdir(parents=True, exist_ok=True)
        name = f"{tier}-{uuid.uuid4().hex}.parquet"
        tmp = directory / f".{name}.tmp"
        rows, lo, hi = 0, None, None
        writer: pq.ParquetWriter | None = None
        with open(tmp, "wb") as fh:
            for chunk in chunks:
                chunk = chunk.select(self.spec.schema.names).cast(self.spec.schema)
                if not chunk.num_rows:
                    continue
                if writer is None:
                    writer = pq.ParquetWriter(fh, self.spec.schema, **self._file_options(chunk))
                writer.write_table(chunk, row_group_size=self.row_group_rows)
                ms = pc.min_max(chunk.column(self.spec.time_column).cast(pa.int64()))
                lo = min(lo, ms["min"].as_py()) if lo is not None else ms["min"].as_py()
                hi = max(hi, ms["max"].as_py()) if hi is not None else ms["max"].as_py()
                rows += chunk.num_rows
            if writer is not None:
                writer.close()
            fh.flush()
            os.fsync(fh.fileno())
        if writer is None:
            tmp.unlink()
            return "", None
        os.replace(tmp, directory / name)
        fsync_dir(directory)
        fsync_dir(self.root)
        rel = f"{folder}/{name}"
        assert lo is not None and hi is not None
        return rel, FileEntry(
            path=rel,
            tier=tier,
            first_day=day_label(int(day_of_ms(np.int64(lo)))),
            last_day=day_label(int(day_of_ms(np.int64(hi)))),
            rows=rows,
            min_ms=int(lo),
            max_ms=int(hi),
        )


def open_dataset(lake: Path, name: str, **kwargs: Any) -> Dataset:
    return Dataset(lake, DATASETS[name], **kwargs)
