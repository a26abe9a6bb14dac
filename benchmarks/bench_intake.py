"""Benchmark the intake parser against a naive baseline on the labelled narratives.

Prints, per split of ``tests/command/fixtures/narratives.jsonl`` (``dev``:
the narratives the lexicon was built against; ``holdout``: written after it
was frozen), the share of narratives each field is right on for
``LexiconParser`` and for a naive baseline, then the one-off load time and
the mean / p99 time of one parse after warm-up.

The baseline is what a first attempt would do: the first district name
found as a substring (no landmarks, roads or towns, so it never has a
point), times only as "N月N日N时" or "N点" taken literally on today's date,
the sub-category of the first lexicon word in the text (no weights, no
negation) and that sub-category's default priority.

Run: python benchmarks/bench_intake.py --rounds 20
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import time
from datetime import datetime
from pathlib import Path

from yanyun.command.catalogue import Catalogue, load_catalogue
from yanyun.command.intake import (
    FIELDS,
    CategorySuggestion,
    Gazetteer,
    IntakeCase,
    IntakeSuggestions,
    LexiconParser,
    LocationSuggestion,
    NarrativeParser,
    PrioritySuggestion,
    TimeSuggestion,
    evaluate,
    load_cases,
    load_landmarks,
)
from yanyun.core.clock import SHANGHAI
from yanyun.geo.boundaries import DistrictBoundary, load_boundaries

FIXTURES = Path(__file__).resolve().parent.parent / "tests/command/fixtures"
FIXTURE = FIXTURES / "narratives.jsonl"
# Written as call-takers type calls, frozen before the parser changed for issue 23.
CALLTAKER = FIXTURES / "narratives_calltaker.jsonl"
# Written blind (without reading the lexicon), frozen before the parser changed for them.
BLIND = FIXTURES / "narratives_blind.jsonl"
_BASELINE_TIME = re.compile(r"(?:(\d{1,2})月(\d{1,2})[日号])?(\d{1,2})[点时]")


class BaselineParser:
    """District substrings, literal clock times, first keyword: the naive parser."""

    def __init__(self, districts: list[DistrictBoundary], catalogue: Catalogue) -> None:
        self._districts = []
        for d in districts:
            forms = [d.name_zh]
            if d.name_zh[-1] in "区县市" and not d.name_zh.startswith("衡阳"):
                forms.append(d.name_zh[:-1])
            self._districts.append((d, forms))
        self._keywords = {}
        for sub in catalogue.subcategories():
            for word in sub.keywords:
                self._keywords.setdefault(word, sub)
        self._catalogue = catalogue

    def parse(self, text: str, *, now: datetime) -> IntakeSuggestions:
        found = [(text.find(f), d, f) for d, forms in self._districts for f in forms if f in text]
        location = None
        if found:
            _, d, form = min(found, key=lambda x: x[0])
            location = LocationSuggestion("district", d.name_zh, d.adcode, None, None, 0.5, form)
        occurred = None
        m = _BASELINE_TIME.search(text)
        if m:
            local = now.astimezone(SHANGHAI)
            month, day = (
                (int(m.group(1)), int(m.group(2))) if m.group(1) else (local.month, local.day)
            )
            try:
                at = local.replace(
                    month=month,
                    day=day,
                    hour=int(m.group(3)) % 24,
                    minute=0,
                    second=0,
                    microsecond=0,
                )
                occurred = TimeSuggestion(at, 0.5, m.group(0), False)
            except ValueError:
                occurred = None
        hits = [(text.find(w), -len(w), w) for w in self._keywords if w in text]
        category = None
        priority = PrioritySuggestion(3, 0.3, "", ())
        if hits:
            _, _, word = min(hits)
            sub = self._keywords[word]
            category = CategorySuggestion(sub.code[:2], sub.code, 0.5, word)
            priority = PrioritySuggestion(sub.priority, 0.5, word, ())
        return IntakeSuggestions(location, True, occurred, category, priority)


def timings_ms(parser: NarrativeParser, cases: list[IntakeCase], rounds: int) -> list[float]:
    """Time every case ``rounds`` times; return the single-parse times in ms."""
    out = []
    for _ in range(rounds):
        for case in cases:
            start = time.perf_counter()
            parser.parse(case.text, now=case.now)
            out.append((time.perf_counter() - start) * 1000)
    return out


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--rounds", type=int, default=20, help="timing passes over the fixture")
    args.add_argument("--fixture", type=Path, default=FIXTURE)
    args.add_argument(
        "--calltaker",
        type=Path,
        default=CALLTAKER,
        help="the second frozen holdout (split 'calltaker')",
    )
    args.add_argument("--blind", type=Path, default=BLIND,
                      help="the third frozen holdout, written blind (split 'blind')")
    opts = args.parse_args()

    cases = load_cases(opts.fixture)
    extra = load_cases(opts.calltaker) if opts.calltaker.is_file() else []
    blind = load_cases(opts.blind) if opts.blind.is_file() else []
    splits = {
        "dev": [c for c in cases if c.split == "dev"],
        "holdout": [c for c in cases if c.split == "holdout"],
        "calltaker": extra,
        "blind": blind,
        "all": cases + extra + blind,
    }

    start = time.perf_counter()
    catalogue = load_catalogue()
    districts = load_boundaries("hengyang")
    gazetteer = Gazetteer.from_city(districts, load_landmarks("hengyang"))
    built = time.perf_counter()
    parser = LexiconParser(gazetteer, catalogue)
    parser.warm_up()
    warmed = time.perf_counter()
    baseline = BaselineParser(districts, catalogue)

    print(
        f"narratives: {len(splits['dev'])} dev + {len(splits['holdout'])} holdout + "
        f"{len(splits['calltaker'])} calltaker + {len(splits['blind'])} blind; "
        f"python {platform.python_version()}, {platform.machine()}"
    )
    header = f"| {'field':24s} |" + "".join(
        f" {name[:3] + ' ' + split:>16s} |" for split in splits for name in ("lexicon", "baseline")
    )
    print(header)
    print("|" + "-" * 26 + "|" + "------------------|" * (2 * len(splits)))
    scores = {
        (split, name): evaluate(p, group)
        for split, group in splits.items()
        for name, p in (("lexicon", parser), ("baseline", baseline))
    }
    for field in FIELDS:
        row = f"| {field:24s} |"
        for split in splits:
            for name in ("lexicon", "baseline"):
                row += f" {scores[(split, name)][field] * 100:15.1f}% |"
        print(row)

    ours = timings_ms(parser, splits["all"], opts.rounds)
    naive = timings_ms(baseline, splits["all"], opts.rounds)
    print()
    print(
        f"one-off: gazetteer {built - start:.2f} s (boundaries, landmarks, jionlp towns), "
        f"parser warm-up {warmed - built:.2f} s (jieba dictionary, jionlp time extractor)"
    )
    print("| parser   | parses | mean ms | p99 ms | max ms |")
    print("|----------|--------|---------|--------|--------|")
    for name, values in (("lexicon", ours), ("baseline", naive)):
        print(
            f"| {name:8s} | {len(values):6d} | {statistics.fmean(values):7.2f} | "
            f"{p99(values):6.2f} | {max(values):6.2f} |"
        )


if __name__ == "__main__":
    main()
