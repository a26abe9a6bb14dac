"""Deliveries in the formats sources use: text files, JSON lines, CSV, RSS/Atom feeds.

Each reader turns raw bytes into `PostCreate` records and a list of
rejections (row, reason); nothing is dropped without being counted. Feed
polling isolates every feed: a timeout or garbage in one is recorded on
that feed and the loop goes on.
"""

from __future__ import annotations

import csv
import io
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from yanyun.opinion import feed_guard
from yanyun.opinion.schemas import PostCreate
from yanyun.opinion.text import Rejected, decode, rejected


@dataclass
class Parsed:
    """Posts read from one delivery, and the rows refused with their reasons."""

    posts: list[PostCreate] = field(default_factory=list)
    rejections: list[tuple[int, Rejected]] = field(default_factory=list)


def _post(record: dict[str, Any], source: str) -> PostCreate:
    data = {k: v for k, v in record.items() if v not in (None, "")}
    data.setdefault("source", source)
    for key in ("reposts", "comments", "likes"):
        if key in data:
            data[key] = int(data[key])
    if "id" in data and "external_id" not in data:
        data["external_id"] = str(data.pop("id"))
    data.pop("id", None)
    known = set(PostCreate.model_fields)
    return PostCreate(**{k: v for k, v in data.items() if k in known})


def read_delivery(raw: bytes, *, filename: str, source: str) -> Parsed:
    """Read a file: `.jsonl`/`.ndjson` (one post per line), `.csv` (a `text` column), else text.

    A plain text file is one post (a scraped page may hold several stories;
    the pipeline splits them). Encodings are detected (GBK included).
    """
    out = Parsed()
    try:
        text = decode(raw)
    except Rejected as exc:
        out.rejections.append((0, exc))
        return out
    name = filename.lower()
    if name.endswith((".jsonl", ".ndjson")):
        for n, line in enumerate(text.splitlines()):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("not an object")
                out.posts.append(_post(record, source))
            except (ValueError, ValidationError, TypeError) as exc:
                out.rejections.append((n, rejected("malformed", f"line {n + 1}: {_short(exc)}")))
    elif name.endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "text" not in reader.fieldnames:
            out.rejections.append((0, rejected("malformed", "CSV needs a 'text' column")))
            return out
        for n, record in enumerate(reader):
            try:
                out.posts.append(_post(dict(record), source))
            except (ValueError, ValidationError, TypeError) as exc:
                out.rejections.append((n, rejected("malformed", f"row {n + 1}: {_short(exc)}")))
    else:
        try:
            out.posts.append(PostCreate(source=source, title=filename, text=text))
        except ValidationError as exc:  # a NUL past the sniffed head, an over-long name
            out.rejections.append((0, rejected("malformed", _short(exc))))
    return out


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200]


Fetcher = Callable[[str, float, int], bytes]


@dataclass(frozen=True)
class FeedAccess:
    """Where feeds may come from (see `feed_guard`)."""

    hosts: tuple[str, ...] = ()
    allow_private: bool = False


def guarded_fetch(access: FeedAccess) -> Fetcher:
    """A fetcher that asks only allowed, public hosts and follows no redirect."""

    def fetch(url: str, timeout_s: float, max_bytes: int) -> bytes:
        host = feed_guard.check_url(url, list(access.hosts))
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        feed_guard.check_addresses(host, port, allow_private=access.allow_private)
        request = urllib.request.Request(url, headers={"User-Agent": "yanyun-opinion/1"})
        with feed_guard.OPENER.open(request, timeout=timeout_s) as resp:
            data = resp.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise rejected("too_large", f"feed answer over {max_bytes} bytes")
        return data

    return fetch


def parse_feed(raw: bytes, *, source: str) -> list[PostCreate]:
    """Entries of an RSS or Atom document; refuses documents feedparser cannot read as a feed."""
    import feedparser

    parsed = feedparser.parse(raw)
    if parsed.get("bozo") and not parsed.entries:
        raise rejected("feed_garbage", _short(parsed.get("bozo_exception") or ValueError("?")))
    if not parsed.entries and not parsed.feed.get("title"):
        raise rejected("feed_garbage", "no feed and no entries")
    posts = []
    for entry in parsed.entries:
        body = entry.get("summary") or ""
        if entry.get("content"):
            body = entry["content"][0].get("value") or body
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime(*stamp[:6], tzinfo=UTC) if stamp else None
        posts.append(
            PostCreate(
                source=source,
                external_id=(entry.get("id") or entry.get("link") or None),
                url=entry.get("link"),
                published_at=published,
                title=(entry.get("title") or None),
                text=body or (entry.get("title") or ""),
                author=entry.get("author"),
            )
        )
    return posts


def fetch_feed(
    url: str, *, source: str, timeout_s: float, max_bytes: int, fetch: Fetcher
) -> list[PostCreate]:
    """Fetch and parse one feed; every failure becomes a `Rejected` with a reason."""
    try:
        raw = fetch(url, timeout_s, max_bytes)
    except Rejected:
        raise
    except TimeoutError as exc:
        raise rejected("feed_timeout", f"{url}: {_short(exc)}") from exc
    except urllib.error.HTTPError as exc:
        raise rejected("feed_error", f"the feed answered HTTP {exc.code}") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise rejected("feed_timeout", url) from exc
        # Refused, reset or unreachable look alike: the reason would map the network.
        raise rejected("feed_error") from exc
    except Exception as exc:  # a bad URL or server can fail in many ways; all are one feed's
        raise rejected("feed_error") from exc
    try:
        return parse_feed(raw, source=source)
    except Rejected:
        raise
    except Exception as exc:  # feedparser is lenient, but a feed must never stop the poll
        raise rejected("feed_garbage", f"{url}: {_short(exc)}") from exc
