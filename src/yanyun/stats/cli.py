"""`yanyun forecast`: hotspot forecasts scored against what happened, from any incident file."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import numpy as np
import typer

if TYPE_CHECKING:
    from yanyun.stats.backtest import Backtest, MethodResult
    from yanyun.stats.grid import EventSet
    from yanyun.stats.source import Columns

forecast_app = typer.Typer(
    help="Hotspot forecasts and their honest scores 热点预测与回测", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    """Add the ``forecast`` sub-app to the root app."""
    app.add_typer(forecast_app, name="forecast")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"input error 输入错误: {message}", err=True)
    return typer.Exit(2)


def _parse_params(items: list[str]) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for item in items:
        try:
            key, value = item.split("=", 1)
            method, name = key.split(".", 1)
        except ValueError:
            raise _fail(f"{item!r}: expected method.param=value") from None
        try:
            parsed: object = int(value)
        except ValueError:
            try:
                parsed = float(value)
            except ValueError:
                parsed = value
        out.setdefault(method, {})[name] = parsed
    return out


@forecast_app.command("backtest")
def backtest(
    data: Annotated[Path, typer.Option(help="Incident file, .csv or .parquet", exists=True)],
    from_: Annotated[str, typer.Option("--from", help="First scored day, YYYY-MM-DD")],
    to: Annotated[str, typer.Option(help="Last scored day, YYYY-MM-DD (inclusive)")],
    methods: Annotated[
        str, typer.Option(help="Comma-separated: counts, retro, prospective, etas, boosted")
    ] = "counts,retro,prospective,etas,boosted",
    category: Annotated[
        list[str] | None, typer.Option(help="Only these categories (repeatable); default all")
    ] = None,
    cell_m: Annotated[float, typer.Option(min=10, help="Cell size, metres")] = 150.0,
    col_time: Annotated[
        str, typer.Option(help="Time column (or the date, with --col-hour)")
    ] = "occurred_at",
    col_hour: Annotated[
        str | None, typer.Option(help="Hour-of-day column (0-23) beside a date in --col-time")
    ] = None,
    col_lng: Annotated[str, typer.Option(help="Longitude column (WGS-84)")] = "lon",
    col_lat: Annotated[str, typer.Option(help="Latitude column (WGS-84)")] = "lat",
    col_category: Annotated[
        str, typer.Option(help="Category column; empty for none")
    ] = "primary_type",
    tune_from: Annotated[
        str | None, typer.Option(help="Tune baselines on days from this date (before --from)")
    ] = None,
    tune_to: Annotated[str | None, typer.Option(help="... to this date (inclusive)")] = None,
    tune_stride: Annotated[int, typer.Option(min=1, help="Tune on every n-th day")] = 2,
    param: Annotated[
        list[str] | None,
        typer.Option(
            help="Fixed parameter, method.name=value (repeatable), e.g. counts.window_days=365"
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Read only incidents from this date on (saves memory)")
    ] = None,
    markdown: Annotated[Path | None, typer.Option(help="Also write the table here")] = None,
    shifts: Annotated[
        str | None,
        typer.Option(
            help="Score shifts instead of days: day, night or day,night (incidents of the "
            "shift starting on each scored day only); each method also with its hour weighting"
        ),
    ] = None,
    day_start_h: Annotated[int, typer.Option(min=0, max=23, help="Day shift start hour")] = 8,
    night_start_h: Annotated[
        int, typer.Option(min=0, max=23, help="Night shift start hour")
    ] = 20,
) -> None:
    """Rolling backtest: each day's forecast uses only incidents before that day.

    Prints the pooled hit rate (95 % bootstrap interval over days) and PAI at
    1, 5, 10 and 20 % of the study area's cells, per method, side by side.
    With --shifts, one table per shift: each method's day forecast and the
    same weighted by each cell's share of incidents in the shift's hours
    (`<method>+hours`, the platform's next-shift forecast), both scored on
    the shift's incidents only.
    """
    from yanyun.stats.backtest import Backtest, default_area, format_table
    from yanyun.stats.forecast import METHODS
    from yanyun.stats.source import Columns

    names = [m.strip() for m in methods.split(",") if m.strip()]
    hours, wanted_shifts = _shift_hours(shifts, day_start_h, night_start_h)
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        raise _fail(f"unknown method {', '.join(unknown)}; known: {', '.join(METHODS)}")
    fixed = _parse_params(param or [])
    started = time.perf_counter()
    columns = Columns(col_time, col_lng, col_lat, col_category or None, col_hour or None)
    events = _load(data, columns, cell_m, since)
    load_s = time.perf_counter() - started
    first, last = events.day_index(from_), events.day_index(to)
    if last < first:
        raise _fail("--to is before --from")
    tune_days = _tune_days(events, first, tune_from, tune_to, tune_stride)
    area = default_area(events, first)
    try:
        scored = events.of_categories(category)
        if category:
            scored = scored.with_context(events)
    except ValueError as exc:
        raise _fail(f"{exc} (categories are {', '.join(events.categories[:20])})") from exc
    _check_left(events, scored, area, first, last)
    bt = Backtest(scored, area)
    out = sys.stdout
    _describe_data(out, data, events, scored, category, cell_m, area.size, from_, load_s)
    results = []
    by_shift: dict[str, list] = {x: [] for x in wanted_shifts}
    days = np.arange(first, last + 1)
    for name in names:
        params = dict(fixed.get(name, {}))
        if tune_days is not None:
            params = _tuned(out, bt, name, params, tune_days, f"{tune_from}..{tune_to}")
        r_started = time.perf_counter()
        if wanted_shifts:
            runs = _run_shifts(bt, name, params, days, {x: hours[x] for x in wanted_shifts})
            for j, x in enumerate(wanted_shifts):
                by_shift[x] += runs[2 * j : 2 * j + 2]
        else:
            results.append(_run_days(bt, name, params, days))
        out.write(f"ran {name} in {time.perf_counter() - r_started:.1f} s\n")
        out.flush()
    if wanted_shifts:
        table = "\n\n".join(_shift_table(bt, x, hours[x], by_shift[x]) for x in wanted_shifts)
    else:
        table = format_table(results)
    out.write(table + "\n")
    if markdown:
        markdown.write_text(table + "\n", encoding="utf-8")


def _check_left(
    events: EventSet, scored: EventSet, area: np.ndarray, first: int, last: int
) -> None:
    """Refuse, naming why, a run with nothing to learn from or nothing to score."""
    from yanyun.stats.grid import why_dropped

    dropped = dict(events.dropped)
    dropped["category"] = events.size - scored.size
    why = why_dropped(dropped)
    if scored.size == 0:
        raise _fail(f"no incidents left 没有可用警情 (dropped: {why})")
    if area.size == 0:
        raise _fail(
            "no incidents before --from to learn from 开始日期之前没有警情 "
            f"(first usable incident {events.date_of(int(np.floor(events.t[0])))}; dropped: {why})"
        )
    n_scored = scored.before(last + 1) - scored.before(first)
    if n_scored == 0:
        raise _fail(
            f"no incidents to score between --from and --to 评估期内没有警情 "
            f"(usable incidents run {events.date_of(int(np.floor(scored.t[0])))}.."
            f"{events.date_of(int(np.floor(scored.t[-1])))}; dropped: {why})"
        )


def _shift_hours(
    shifts: str | None, day_start_h: int, night_start_h: int
) -> tuple[dict[str, tuple[int, int]], list[str]]:
    """The shifts asked for and their (start, end) hours; refuses unknown or equal starts."""
    hours = {"day": (day_start_h, night_start_h), "night": (night_start_h, day_start_h)}
    wanted = [x.strip() for x in (shifts or "").split(",") if x.strip()]
    if any(x not in hours for x in wanted):
        raise _fail("--shifts takes day, night or day,night")
    if wanted and day_start_h == night_start_h:
        raise _fail("the day and night shifts must start at different hours")
    return hours, wanted


def _load(data: Path, columns: Columns, cell_m: float, since: str | None) -> EventSet:
    from yanyun.stats.source import load_events

    try:
        return load_events(data, columns, cell_m=cell_m, since=since)
    except ValueError as exc:
        raise _fail(str(exc)) from exc


def _tune_days(
    events: EventSet, first: int, tune_from: str | None, tune_to: str | None, stride: int
) -> np.ndarray | None:
    """The days baselines are tuned on: strictly before the reported days, or none."""
    if (tune_from is None) != (tune_to is None):
        raise _fail("give both --tune-from and --tune-to, or neither")
    if not (tune_from and tune_to):
        return None
    t0, t1 = events.day_index(tune_from), events.day_index(tune_to)
    if t1 >= first:
        raise _fail("the tuning period must end before --from (never tune on the reported days)")
    return np.arange(t0, t1 + 1, stride)


def _describe_data(
    out: TextIO,
    data: Path,
    events: EventSet,
    scored: EventSet,
    category: list[str] | None,
    cell_m: float,
    area_cells: int,
    from_: str,
    load_s: float,
) -> None:
    from yanyun.stats.grid import why_dropped

    g = events.grid
    outside = int((scored.cell < 0).sum())
    filtered = events.size - scored.size
    out.write(
        f"data: {data.name}: {events.size + sum(events.dropped.values())} rows, "
        f"{events.size} usable; dropped: "
        + ", ".join(f"{k} {v}" for k, v in events.dropped.items())
        + f" ({why_dropped(events.dropped)}); {filtered} of another category; "
        f"{outside} of the selected incidents fall outside the raster (scored as misses)\n"
        f"category: {', '.join(category) if category else 'all'}; {scored.size} incidents; "
        f"cells {cell_m:g} m, raster {g.nx} x {g.ny} (EPSG:{g.projection.epsg}), "
        f"study area {area_cells} cells (any incident before {from_}); load {load_s:.1f} s\n"
        "hit rate = hits pooled over days / incidents; [95% bootstrap CI over days]; "
        "PAI = hit rate / area share\n"
    )


def _tuned(
    out: TextIO, bt: Backtest, name: str, params: dict, tune_days: np.ndarray, period: str
) -> dict:
    """A method's parameters tuned on the tuning days (fixed ones kept); said on ``out``."""
    from yanyun.stats.backtest import tune
    from yanyun.stats.tuning import GRIDS

    grid = {k: v for k, v in GRIDS.get(name, {}).items() if k not in params}
    if not grid:
        return params
    t_started = time.perf_counter()
    best, trials = tune(bt, name, grid, tune_days, fixed=params)
    out.write(
        f"tuned {name} on {period} ({tune_days.size} days, "
        f"{len(trials)} settings, {time.perf_counter() - t_started:.0f} s): "
        + ", ".join(f"{k}={v}" for k, v in best.items())
        + f" (hit@5% {max(tr[1] for tr in trials):.1%})\n"
    )
    return best


def _run_days(bt: Backtest, name: str, params: dict, days: np.ndarray) -> MethodResult:
    from yanyun.stats.forecast import make

    return bt.run(make(name, **params), days)


def _run_shifts(
    bt: Backtest, name: str, params: dict, days: np.ndarray, hours: dict
) -> list[MethodResult]:
    from yanyun.stats.forecast import make

    return bt.run_shifts(make(name, **params), days, hours)


def _shift_table(bt: Backtest, shift: str, hours: tuple[int, int], runs: list) -> str:
    """One shift's table, and the hit-rate points each method gains from its hour weighting."""
    from yanyun.stats.backtest import format_table, paired_gain

    start_h, end_h = hours
    gains = []
    for plain, weighted in zip(runs[::2], runs[1::2], strict=True):
        gain, ci = paired_gain(weighted, plain)
        gains.append(
            f"| {plain.name} | "
            + " | ".join(
                f"{gain[j] * 100:+.1f} [{ci[0, j] * 100:+.1f}, {ci[1, j] * 100:+.1f}]"
                for j in range(len(gain))
            )
            + " |"
        )
    head = "| method | " + " | ".join(f"+hours gain@{c:.0%}" for c in bt.coverages)
    return (
        f"{shift} shift {start_h:02d}:00-{end_h:02d}:00, scored on its incidents only\n\n"
        + format_table(runs)
        + "\n\nhit-rate points gained by the hour weighting [paired 95% bootstrap CI "
        "over days]\n\n"
        + head + " |\n|" + "---|" * (len(bt.coverages) + 1) + "\n"
        + "\n".join(gains)
    )


@forecast_app.command("analyse")
def analyse(
    data: Annotated[Path, typer.Option(help="Incident file, .csv or .parquet", exists=True)],
    from_: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")],
    to: Annotated[str, typer.Option(help="Last day, YYYY-MM-DD (inclusive)")],
    category: Annotated[
        list[str] | None, typer.Option(help="Only these categories (repeatable); default all")
    ] = None,
    cell_m: Annotated[float, typer.Option(min=10, help="Cell size, metres")] = 150.0,
    bandwidth_m: Annotated[float, typer.Option(help="Kernel density bandwidth, metres")] = 300.0,
    col_time: Annotated[str, typer.Option(help="Time column")] = "occurred_at",
    col_hour: Annotated[
        str | None, typer.Option(help="Hour-of-day column (0-23) beside a date in --col-time")
    ] = None,
    col_lng: Annotated[str, typer.Option(help="Longitude column (WGS-84)")] = "lon",
    col_lat: Annotated[str, typer.Option(help="Latitude column (WGS-84)")] = "lat",
    col_category: Annotated[str, typer.Option(help="Category column")] = "primary_type",
    permutations: Annotated[int, typer.Option(min=9, help="Knox Monte Carlo runs")] = 99,
    top: Annotated[int, typer.Option(min=1, help="Hotspot cells to list")] = 10,
) -> None:
    """Hotspots of a period: counts, kernel density, Getis-Ord Gi*, hour x weekday, Knox."""
    from yanyun.stats.hotspot import (
        time_profile,
    )
    from yanyun.stats.source import Columns, load_events

    try:
        events = load_events(
            data, Columns(col_time, col_lng, col_lat, col_category or None, col_hour or None),
            cell_m=cell_m,
            since=from_,
        )
        # the study area of Gi*: every cell with any incident in the file since --from
        study = np.zeros(events.grid.n_cells, bool)
        study[events.cell[events.cell >= 0]] = True
        events = events.of_categories(category)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    first, last = events.day_index(from_), events.day_index(to) + 1
    ev = events.subset((events.t >= first) & (events.t < last))
    out = sys.stdout
    out.write(f"{ev.size} incidents {from_}..{to}; dropped: {events.dropped}\n")
    if ev.size < 3:
        return
    _hotspot_table(out, ev, study, bandwidth_m, top)
    times = ev.epoch_day.astype("datetime64[s]") + (ev.t * 86400).astype("timedelta64[s]")
    prof = time_profile(times)
    by_hour, by_day = prof.sum(axis=0), prof.sum(axis=1)
    out.write(
        "by hour: " + " ".join(f"{h}:{n}" for h, n in enumerate(by_hour)) + "\n"
        "by weekday (Mon..Sun): " + " ".join(str(n) for n in by_day) + "\n"
    )
    _knox_table(out, ev, permutations)


def _hotspot_table(
    out: TextIO, ev: EventSet, study: np.ndarray, bandwidth_m: float, top: int
) -> None:
    """The busiest cells with their density and Gi* z, and how concentrated the period was."""
    from yanyun.stats.hotspot import counts_per_cell, getis_ord_gi_star, kernel_density

    g = ev.grid
    counts = counts_per_cell(ev.cell, g.n_cells)
    area = counts > 0
    gi = getis_ord_gi_star(counts, g, study=study)
    dens = kernel_density(ev.cell, g, bandwidth_m)
    occupied = int(area.sum())
    order = np.argsort(-counts)
    share_top = counts[order[: max(1, occupied // 20)]].sum() / counts.sum()
    out.write(
        f"cells with incidents: {occupied}; the top 5 % of them hold {share_top:.0%}; "
        f"Gi* hot cells (p < 0.05): {int(gi.hot.sum())}, cold: {int(gi.cold.sum())}\n"
        "| rank | cell | lng | lat | incidents | density /km² | Gi* z |\n"
        "|---|---|---|---|---|---|---|\n"
    )
    cx, cy = g.centres_xy(order[:top])
    lng, lat = g.projection.inverse(cx, cy)
    for i, cell in enumerate(order[:top]):
        out.write(
            f"| {i + 1} | {cell} | {lng[i]:.5f} | {lat[i]:.5f} | {int(counts[cell])} | "
            f"{dens[cell]:.0f} | {gi.z[cell]:.1f} |\n"
        )


def _knox_table(out: TextIO, ev: EventSet, permutations: int) -> None:
    """Near repeats: observed over expected pairs per distance and time band, with p."""
    from yanyun.stats.nearrepeat import knox_test

    knox = knox_test(ev.x, ev.y, ev.t, permutations=permutations)
    out.write("Knox near-repeat test: observed / expected pairs (p)\n| distance \\ days |")
    t_lo = [0.0, *knox.time_bands_d[:-1]]
    d_lo = [0.0, *knox.distance_bands_m[:-1]]
    out.write("".join(f" {a:g}-{b:g} |" for a, b in zip(t_lo, knox.time_bands_d, strict=True)))
    out.write("\n|---|")
    out.write("---|" * len(knox.time_bands_d) + "\n")
    for i, d in enumerate(knox.distance_bands_m):
        cells = " ".join(
            f"{knox.ratio[i, j]:.2f} ({knox.p[i, j]:.2f}) |"
            for j in range(len(knox.time_bands_d))
        )
        out.write(f"| {d_lo[i]:g}-{d:g} m | {cells}\n")
