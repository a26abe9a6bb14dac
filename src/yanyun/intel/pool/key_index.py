"""Plate lookups over the pool: a row-group index by key and time, and the vocabulary of keys."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from yanyun.intel.pool.files import FileEntry
from yanyun.intel.pool.storage import Dataset


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
        self._cache: OrderedDict[tuple[str, int, tuple[str, ...] | None], pa.Table] = OrderedDict()
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
