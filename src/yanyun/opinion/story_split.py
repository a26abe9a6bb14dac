"""Pages split into stories: a scraped newspaper page carries several unrelated ones.

A new story starts at a markdown heading or a byline; a fragment too short
to stand alone joins its neighbour.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

_KEEP = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff]+")
_HEADING = re.compile(r"^(#{1,2})\s+(.*)$")
_BYLINE = re.compile(
    r"^(?:(?:见习|本报|特约)?记者|通讯员|本报讯|文/|文 /|作者[:：]|来源[:：]|编辑[:：])"
)
_CLOSING = '。!?！？…”"」)'


@dataclass(frozen=True)
class Story:
    """One story of a page: its title guess, text and first line number (0-based)."""

    title: str
    text: str
    line: int


def _is_body(line: str) -> bool:
    return len(line) >= 40 or (len(line) >= 12 and line.rstrip()[-1:] in _CLOSING)


def split_stories(text: str, *, min_chars: int = 60) -> list[Story]:
    """Split a page into its stories; a short post is one story.

    A new story starts at a level-1 or level-2 markdown heading, or at a
    byline (记者/通讯员 ...) together with the short title lines just above
    it, but only once the current story has body text: consecutive headings
    and bylines belong together. Fragments shorter than `min_chars` (menus,
    copyright lines) join the story before them.

    >>> page = "# 甲\\n" + "正文一。" * 20 + "\\n## 乙\\n" + "正文二。" * 20
    >>> [s.title for s in split_stories(page)]
    ['甲', '乙']
    >>> len(split_stories("网传某地起火,警方已到场。"))
    1
    """
    lines = [ln.strip() for ln in text.split("\n")]
    starts: list[int] = [0]
    body_since_start = False
    for i, line in enumerate(lines):
        if not line:
            continue
        heading = _HEADING.match(line)
        if heading or _BYLINE.match(line):
            if body_since_start:
                start = i
                if not heading:
                    j = i - 1
                    while j > starts[-1] and (not lines[j] or not _is_body(lines[j])):
                        if lines[j]:
                            start = j
                        j -= 1
                starts.append(start)
                body_since_start = False
            continue
        if _is_body(line):
            body_since_start = True
    stories: list[Story] = []
    bounds = [*starts, len(lines)]
    for a, b in itertools.pairwise(bounds):
        chunk = [ln for ln in lines[a:b] if ln]
        if not chunk:
            continue
        body = "\n".join(chunk)
        title = _title(chunk)
        if stories and len(letters(body)) < min_chars:
            prev = stories[-1]
            stories[-1] = Story(prev.title, prev.text + "\n" + body, prev.line)
            continue
        stories.append(Story(title[:120], body, a))
    if len(stories) > 1 and len(letters(stories[0].text)) < min_chars:
        first, second = stories[0], stories[1]
        stories[:2] = [Story(second.title, first.text + "\n" + second.text, first.line)]
    return stories or [Story(text[:120], text, 0)]


def _title(chunk: list[str]) -> str:
    # A heading if there is one; else the longest short line above the first paragraph.
    for line in chunk:
        heading = _HEADING.match(line)
        if heading:
            return heading.group(2)
        if _is_body(line):
            break
    head: list[str] = []
    for line in chunk:
        if _is_body(line):
            break
        if not _BYLINE.match(line) and "|" not in line:
            head.append(line)
    return max(head, key=len) if head else chunk[0][:40]


def letters(text: str) -> str:
    """The text with punctuation and spaces dropped: what shingles are cut from."""
    return _KEEP.sub("", text)
