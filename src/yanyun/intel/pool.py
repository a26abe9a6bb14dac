"""The data pool: append-only Parquet datasets with one writer and a manifest.

Each dataset lives in its own folder under the lake. A JSON manifest names the
live files; readers see exactly the files it names, so a file on disk that the
manifest does not name is invisible. Every change (an append, a compaction, a
month sealed) follows one order: write the new file, fsync it and its folder,
atomically replace the manifest (write, fsync, rename, fsync the folder), and
only then delete what it replaced. A crash at any point leaves either the old
or the new manifest, never a row counted twice or lost; `recover()` removes the
orphans a crash leaves behind.

The manifest also holds the batch ledger: a batch id is recorded in the same
atomic swap that makes its rows visible, so "acknowledged" and "durable" are
one event and a re-sent batch is recognised.

Layout of a key-sorted dataset (sightings): `day=YYYY-MM-DD/part-*.parquet`
small sorted files as batches arrive; `compact_day` rewrites a day into one
file sorted by (plate, time) in small row groups; `seal_month` rewrites a
closed month's days into `month=YYYY-MM/` so one plate's month sits in one
row group (a year's trajectory then reads about 12 row groups, not 365).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

SHANGHAI_OFFSET_MS = 8 * 3600 * 1000
DAY_MS = 86_400_000
MANIFEST = "_manifest.json"
LOCK = ".writer.lock"

# Sighting flags (bit mask in the `flags` column).
FLAG_ABSURD_SPEED = 1

SIGHTING_SCHEMA = pa.schema(
    [
        pa.field("plate", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("camera", pa.string(), nullable=False),
        pa.field("seen_at", pa.timestamp("ms", tz="UTC"), nullable=False),
        pa.field("flags", pa.int8(), nullable=False),
        pa.field("batch_id", pa.string(), nullable=False),
    ]
)

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("batch_id", pa.string(), nullable=False),
        pa.field("row", pa.int32(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("reason_zh", pa.string(), nullable=False),
        pa.field("reason_en", pa.string(), nullable=False),
        pa.field("plate", pa.string()),
        pa.field("camera", pa.string()),
        pa.field("seen_at", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("received_at", pa.timestamp("ms", tz="UTC"), nullable=False),
    ]
)


@dataclass(frozen=True)
class DatasetSpec:
    """What the catalog says of a dataset: its schema, order, source and whether it is personal."""

    name: str
    schema: pa.Schema
    time_column: str
    sort_by: tuple[str, ...]
    key: str | None
    personal: bool
    source: str
    description_zh: str
    description_en: str


SIGHTINGS = DatasetSpec(
    name="sightings",
    schema=SIGHTING_SCHEMA,
    time_column="seen_at",
    sort_by=("plate", "seen_at", "camera"),
    key="plate",
    personal=True,
    source="卡口/视频结构化过车记录 (checkpoint and video plate readings, ingest API and files)",
    description_zh="过车/过人记录：号牌、车辆类型、点位、时间",
    description_en="Camera sightings: plate, vehicle kind, camera, time",
)

QUARANTINE = DatasetSpec(
    name="quarantine",
    schema=QUARANTINE_SCHEMA,
    time_column="received_at",
    sort_by=("batch_id", "row"),
    key=None,
    personal=True,
    source="入库校验拒收的行 (rows refused by ingest validation, with the batch id)",
    description_zh="隔离区：校验未通过的记录及原因",
    description_en="Quarantine: rows refused by validation, with the reason",
)

DATASETS = {spec.name: spec for spec in (SIGHTINGS, QUARANTINE)}


class CrashPoint(Exception):
    """Raised by an injected failure point (tests); a subprocess test uses SIGKILL instead."""


def day_of_ms(ms: np.ndarray) -> np.ndarray:
    """Bureau day (Asia/Shanghai) of epoch milliseconds, as days since 1970-01-01."""
    return (ms + SHANGHAI_OFFSET_MS) // DAY_MS


def day_label(day_number: int) -> str:
    return (date(1970, 1, 1) + timedelta(days=int(day_number))).isoformat()


def day_start_ms(day: date) -> int:
    return (day - date(1970, 1, 1)).days * DAY_MS - SHANGHAI_OFFSET_MS


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


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


_PROCESS_LOCKS: dict[str, threading.RLock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def _process_lock(path: Path) -> threading.RLock:
    with _PROCESS_LOCKS_GUARD:
        return _PROCESS_LOCKS.setdefault(str(path.resolve()), threading.RLock())


class Dataset:
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
        _write_json_atomic(self.root / MANIFEST, manifest.to_json())

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
        _fsync_dir(directory)
        _fsync_dir(self.root)
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
        _fsync_dir(directory)
        _fsync_dir(self.root)
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

    def compact_day(self, day: date) -> FileEntry | None:
        """Rewrite a day's small files into one file sorted by the dataset's key."""
        label = day.isoformat()
        with self._maintenance:
            inputs = [
                f
                for f in self.manifest().files
                if f.tier in ("part", "day") and f.first_day == label and f.last_day == label
            ]
            if len(inputs) < 2 and all(f.tier == "day" for f in inputs):
                return None
            return self._rewrite(inputs, f"day={label}", "day")

    def seal_month(self, year: int, month: int) -> FileEntry | None:
        """Rewrite a closed month into one plate-sorted file: a plate's month in one row group."""
        prefix = f"{year:04d}-{month:02d}"
        with self._maintenance:
            files = self.manifest().files
            inputs = [
                f
                for f in files
                if f.first_day.startswith(prefix)
                and f.last_day.startswith(prefix)
                and f.tier != "month"
            ]
            inputs += [f for f in files if f.tier == "month" and f.first_day.startswith(prefix)]
            if not inputs:
                return None
            return self._rewrite(inputs, f"month={prefix}", "month")

    def _rewrite(self, inputs: list[FileEntry], folder: str, tier: str) -> FileEntry | None:
        """Replace `inputs` by one sorted file; None if they changed meanwhile.

        Reading, sorting and writing (minutes for a month of a city) happen
        outside the writer lock, so ingest carries on; the lock is taken only
        to check that every input is still live and the new file still there
        (another process's `recover` may have removed it), and to swap.
        """
        table = pa.concat_tables(
            pq.read_table(self.root / f.path, schema=self.spec.schema) for f in inputs
        )
        table = self._sorted(table)
        rel = self._write_file(table, folder, tier)
        entry = self._entry(rel, tier, table)
        del table
        self._failpoint("compact:output_written")
        replaced = {f.path for f in inputs}
        with self.writer() as manifest:
            live = {f.path for f in manifest.files}
            if not replaced <= live or not (self.root / rel).exists():
                (self.root / rel).unlink(missing_ok=True)
                return None
            manifest.files = [f for f in manifest.files if f.path not in replaced] + [entry]
            self._swap_manifest(manifest)
        self._failpoint("compact:manifest_swapped")
        for i, f in enumerate(sorted(replaced)):
            (self.root / f).unlink(missing_ok=True)
            if i == 0:
                self._failpoint("compact:inputs_half_deleted")
        return entry

    def prune_ledger(self, before_ms: int) -> int:
        """Forget batch ids received before `before_ms`; returns how many were forgotten.

        Keeps the manifest (rewritten on every append) bounded. A batch sent
        again after its id is forgotten is checked as a new one: see
        docs/intel.md for what that means for its rows.
        Entries without a receipt time (written before it was recorded) are forgotten.
        """
        with self.writer() as manifest:
            old = [
                b for b, rec in manifest.batches.items() if rec.get("received_ms", 0) < before_ms
            ]
            if not old:
                return 0
            for batch_id in old:
                del manifest.batches[batch_id]
            self._swap_manifest(manifest)
            return len(old)

    def compact_all(self) -> int:
        """Compact every day that has more than one file; returns the days rewritten."""
        days = sorted({f.first_day for f in self.manifest().files if f.tier == "part"})
        done = 0
        for label in days:
            if self.compact_day(date.fromisoformat(label)) is not None:
                done += 1
        return done

    def recover(self) -> list[str]:
        """Delete files the manifest does not name (leftovers of a crash); single writer only."""
        removed: list[str] = []
        with self.writer() as manifest:
            live = {f.path for f in manifest.files}
            for path in self.root.rglob("*"):
                if path.is_dir() or path.name in (MANIFEST, LOCK):
                    continue
                rel = path.relative_to(self.root).as_posix()
                if rel not in live:
                    path.unlink()
                    removed.append(rel)
            for directory in sorted(self.root.iterdir()):
                if directory.is_dir() and not any(directory.iterdir()):
                    directory.rmdir()
        return removed


@dataclass
class _FileIndex:
    metadata: pq.FileMetaData
    rg_min: np.ndarray  # per row group: min and max key, min and max time (ms)
    rg_max: np.ndarray
    rg_min_ms: np.ndarray
    rg_max_ms: np.ndarray
    key_sorted: bool  # row groups in key order: found by binary search
    reader: pq.ParquetFile | None = None
    keys: pa.Array | None = None  # distinct keys of the file, read when first asked for

    def candidates(self, key: str, start_ms: int, end_ms: int) -> np.ndarray:
        """Row groups whose key range holds `key` and whose time range meets the window."""
        if self.key_sorted:
            lo = int(np.searchsorted(self.rg_max, key, "left"))
            hi = int(np.searchsorted(self.rg_min, key, "right"))
            groups = np.arange(lo, max(lo, hi))
        else:
            groups = np.flatnonzero((self.rg_min <= key) & (self.rg_max >= key))
        times = (self.rg_max_ms[groups] >= start_ms) & (self.rg_min_ms[groups] < end_ms)
        return groups[times]


class KeyIndex:
    """Plate -> (file, row group) index over the live files, cached in memory.

    Files are immutable, so each footer is read once; a lookup then opens only
    the row groups whose plate range and time range can hold the plate, without
    reading any footer again. This is what makes a year-long lookup cheap: the
    footers of 365 files cost more than the rows themselves. Every file the
    pool writes is sorted by plate, so a file's row groups are found by a
    binary search (a sealed month of a city has 20,000 of them).
    """

    def __init__(self, dataset: Dataset, *, cache_bytes: int = 0) -> None:
        if dataset.spec.key is None:
            raise ValueError(f"dataset {dataset.spec.name} has no key column")
        self.dataset = dataset
        self._files: dict[str, _FileIndex] = {}
        self._lock = threading.Lock()
        self._version = -1
        self._entries: list[FileEntry] = []
        # Decoded row groups, least recently used first: the pool's buffer pool.
        # Files are immutable, so an entry is never stale, only dropped with its file.
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[tuple[str, int, tuple[str, ...] | None], pa.Table] = (
            OrderedDict()
        )
        self._cached_bytes = 0
        self.cache_hits = 0

    def clear_cache(self) -> None:
        """Forget every decoded row group (a benchmark's cold start; a restart does the same)."""
        with self._lock:
            self._cache.clear()
            self._cached_bytes = 0

    def _read_group(self, rel: str, group: int, columns: list[str] | None) -> pa.Table:
        """One row group, decoded; from the cache when it holds it. Caller holds the lock."""
        key = (rel, group, tuple(columns) if columns is not None else None)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            self.cache_hits += 1
            return cached
        fi = self._files[rel]
        if fi.reader is None:
            fi.reader = pq.ParquetFile(self.dataset.root / rel, metadata=fi.metadata)
        # One small row group: the thread pool's hand-offs cost more than decoding it.
        table = fi.reader.read_row_group(group, columns=columns, use_threads=False)
        if self.cache_bytes:
            self._cache[key] = table
            self._cached_bytes += table.nbytes
            while self._cached_bytes > self.cache_bytes and self._cache:
                _, dropped = self._cache.popitem(last=False)
                self._cached_bytes -= dropped.nbytes
        return table

    def _file_index(self, rel: str) -> _FileIndex:
        cached = self._files.get(rel)
        if cached is not None:
            return cached
        metadata = pq.read_metadata(self.dataset.root / rel)
        schema = metadata.schema.to_arrow_schema()
        key_col = schema.get_field_index(self.dataset.spec.key)
        time_col = schema.get_field_index(self.dataset.spec.time_column)
        mins, maxs, tmins, tmaxs = [], [], [], []
        for i in range(metadata.num_row_groups):
            rg = metadata.row_group(i)
            key_stats = rg.column(key_col).statistics
            time_stats = rg.column(time_col).statistics
            mins.append(key_stats.min if key_stats and key_stats.has_min_max else "")
            maxs.append(key_stats.max if key_stats and key_stats.has_min_max else "\U0010ffff")
            tmins.append(_as_ms(time_stats.min) if time_stats and time_stats.has_min_max else 0)
            tmaxs.append(_as_ms(time_stats.max) if time_stats and time_stats.has_min_max else 2**62)
        rg_min, rg_max = np.array(mins, dtype=str), np.array(maxs, dtype=str)
        key_sorted = bool(np.all(rg_min[1:] >= rg_min[:-1]) and np.all(rg_max[1:] >= rg_max[:-1]))
        built = _FileIndex(
            metadata,
            rg_min,
            rg_max,
            np.array(tmins, dtype=np.int64),
            np.array(tmaxs, dtype=np.int64),
            key_sorted,
        )
        self._files[rel] = built
        return built

    def refresh(self) -> None:
        manifest = self.dataset.manifest()
        with self._lock:
            if manifest.version == self._version:
                return
            entries = sorted(manifest.files, key=lambda e: (e.min_ms, e.path))
            for entry in entries:
                self._file_index(entry.path)
            live = {e.path for e in entries}
            for stale in [p for p in self._files if p not in live]:
                gone = self._files.pop(stale)
                if gone.reader is not None:
                    gone.reader.close()
            for key in [k for k in self._cache if k[0] not in live]:
                self._cached_bytes -= self._cache.pop(key).nbytes
            self._entries = entries
            self._version = manifest.version

    def row_groups(self, key: str, start_ms: int, end_ms: int) -> list[tuple[FileEntry, list[int]]]:
        """The (file, row groups) that can hold `key` within [start_ms, end_ms), in time order."""
        self.refresh()
        found = []
        for entry in self._entries:
            if entry.max_ms < start_ms or entry.min_ms >= end_ms:
                continue
            groups = self._files[entry.path].candidates(key, start_ms, end_ms)
            if len(groups):
                found.append((entry, groups.tolist()))
        return found

    def lookup(
        self, keys: list[str], start_ms: int, end_ms: int, columns: list[str] | None = None
    ) -> tuple[pa.Table, int]:
        """Rows whose key is one of `keys` within the window; also the row groups read."""
        spec = self.dataset.spec
        plan: dict[str, tuple[FileEntry, set[int]]] = {}
        for key in keys:
            for entry, groups in self.row_groups(key, start_ms, end_ms):
                plan.setdefault(entry.path, (entry, set()))[1].update(groups)
        tables = []
        groups_read = 0
        with self._lock:  # open readers and the cache are shared, one reader at a time
            for rel, (_entry, groups) in plan.items():
                tables += [self._read_group(rel, g, columns) for g in sorted(groups)]
                groups_read += len(groups)
        schema = (
            spec.schema if columns is None else pa.schema([spec.schema.field(c) for c in columns])
        )
        if not tables:
            return schema.empty_table(), 0
        table = pa.concat_tables(tables)
        # Scalars made here, not by the kernels: converting a Python value
        # inside pyarrow.compute attempts an import each call (~0.1 ms).
        ms = pc.cast(table.column(spec.time_column), pa.int64())
        in_window = pc.and_(
            pc.greater_equal(ms, pa.scalar(start_ms, pa.int64())),
            pc.less(ms, pa.scalar(end_ms, pa.int64())),
        )
        if len(keys) == 1:
            wanted = pc.equal(table.column(spec.key), pa.scalar(keys[0], pa.string()))
        else:
            wanted = pc.is_in(table.column(spec.key), value_set=pa.array(keys, pa.string()))
        return table.filter(pc.and_(wanted, in_window)), groups_read


class KeyVocabulary:
    """Every distinct key of the pool, grouped by a normal form (for fuzzy plate search).

    A fuzzy search cannot use the sorted layout: the plate it is looking for is
    not known. Scanning a year for it costs seconds; the distinct plates of the
    pool are a few hundred thousand strings, so they are kept in memory, grouped
    by their canonical form, and a fuzzy search becomes a few dictionary
    lookups followed by exact lookups. Each immutable file's keys are read once
    (its key column only); new files add their keys as they appear.
    """

    def __init__(self, index: KeyIndex, normal_form: Callable[[pa.Array], pa.Array]) -> None:
        self.index = index
        self.normal_form = normal_form
        self._version = -1
        self._groups: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def _file_keys(self, rel: str) -> pa.Array:
        fi = self.index._file_index(rel)
        if fi.keys is None:
            column = pq.read_table(
                self.index.dataset.root / rel, columns=[self.index.dataset.spec.key]
            ).column(0)
            fi.keys = pc.unique(column.combine_chunks())
        return fi.keys

    def refresh(self) -> None:
        self.index.refresh()
        with self._lock:
            if self._version == self.index._version:
                return
            keys = [self._file_keys(e.path) for e in self.index._entries]
            distinct = (
                pc.unique(pa.chunked_array(keys, pa.string()).combine_chunks())
                if keys
                else (pa.array([], pa.string()))
            )
            forms = self.normal_form(distinct)
            groups: dict[str, list[str]] = {}
            for form, key in zip(forms.to_pylist(), distinct.to_pylist(), strict=True):
                groups.setdefault(form, []).append(key)
            self._groups = groups
            self._version = self.index._version

    def keys_for(self, forms: list[str]) -> list[str]:
        """The keys whose normal form is one of `forms`."""
        self.refresh()
        found: list[str] = []
        for form in forms:
            found += self._groups.get(form, [])
        return sorted(set(found))

    def __len__(self) -> int:
        self.refresh()
        return sum(len(v) for v in self._groups.values())


def _as_ms(value: Any) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return int(value.timestamp() * 1000)
    return int(value)


def open_dataset(lake: Path, name: str, **kwargs: Any) -> Dataset:
    return Dataset(lake, DATASETS[name], **kwargs)
