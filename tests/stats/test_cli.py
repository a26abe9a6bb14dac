"""`yanyun forecast backtest` on a generic CSV with a column mapping, and on real Chicago data."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.stats.synthetic import planted
from yanyun.cli.main import app

# CI has shared/ beside the checkout; a worktree elsewhere points at it with the variable
SHARED = Path(
    os.environ.get("YANYUN_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data")
)
CHICAGO = SHARED / "chicago" / "incidents_2014_2018.parquet"


def _write_csv(path: Path) -> int:
    ev, _ = planted(days=120, seed=11)
    lng, lat = ev.grid.projection.inverse(ev.x, ev.y)
    times = ev.epoch_day.astype("datetime64[s]") + (ev.t * 86400).astype("timedelta64[s]")
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["when", "x_lng", "y_lat", "kind"])
        for i in range(ev.size):
            kind = "盗窃" if i % 3 else "BURGLARY"
            w.writerow([str(times[i]).replace("T", " "), f"{lng[i]:.6f}", f"{lat[i]:.6f}", kind])
        w.writerow(["", f"{lng[0]:.6f}", f"{lat[0]:.6f}", "盗窃"])  # no time
        w.writerow(["2026-03-01 10:00:00", "", "", "盗窃"])  # no coordinates
        w.writerow(["yesterday", f"{lng[0]:.6f}", f"{lat[0]:.6f}", "盗窃"])  # not a time
    return ev.size


def test_backtest_command_prints_the_table_and_reports_dropped_rows(tmp_path):
    data = tmp_path / "incidents.csv"
    n = _write_csv(data)
    out_md = tmp_path / "table.md"
    result = CliRunner().invoke(app, [
        "forecast", "backtest", "--data", str(data), "--from", "2026-04-01", "--to", "2026-04-20",
        "--methods", "counts,prospective", "--col-time", "when", "--col-lng", "x_lng",
        "--col-lat", "y_lat", "--col-category", "kind", "--cell-m", "150",
        "--tune-from", "2026-03-01", "--tune-to", "2026-03-31", "--tune-stride", "5",
        "--markdown", str(out_md),
    ])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"{n + 3} rows, {n} usable" in out
    assert "no_time 2" in out and "no_coordinates 1" in out
    assert "tuned counts on 2026-03-01..2026-03-31" in out
    assert "| counts |" in out and "| prospective |" in out and "hit@5%" in out
    assert "| counts |" in out_md.read_text()


def test_backtest_scores_day_and_night_shifts_with_and_without_hour_weighting(tmp_path):
    data = tmp_path / "incidents.csv"
    _write_csv(data)
    result = CliRunner().invoke(app, [
        "forecast", "backtest", "--data", str(data), "--from", "2026-04-01", "--to", "2026-04-10",
        "--methods", "counts", "--col-time", "when", "--col-lng", "x_lng", "--col-lat", "y_lat",
        "--col-category", "kind", "--shifts", "day,night",
    ])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "day shift 08:00-20:00, scored on its incidents only" in out
    assert "night shift 20:00-08:00, scored on its incidents only" in out
    # per shift: the two rows of the table, and the paired gain of the weighting
    assert out.count("| counts |") == 4 and out.count("| counts+hours |") == 2
    assert out.count("+hours gain@5%") == 2
    bad = CliRunner().invoke(app, [
        "forecast", "backtest", "--data", str(data), "--from", "2026-04-01", "--to", "2026-04-02",
        "--methods", "counts", "--col-time", "when", "--col-lng", "x_lng", "--col-lat", "y_lat",
        "--col-category", "kind", "--shifts", "evening",
    ])
    assert bad.exit_code == 2 and "--shifts takes day, night" in bad.output


def test_backtest_refuses_to_tune_on_the_reported_period(tmp_path):
    data = tmp_path / "incidents.csv"
    _write_csv(data)
    result = CliRunner().invoke(app, [
        "forecast", "backtest", "--data", str(data), "--from", "2026-04-01", "--to", "2026-04-20",
        "--methods", "counts", "--col-time", "when", "--col-lng", "x_lng", "--col-lat", "y_lat",
        "--col-category", "kind", "--tune-from", "2026-03-15", "--tune-to", "2026-04-05",
    ])
    assert result.exit_code == 2
    assert "never tune on the reported days" in result.output


def test_backtest_names_a_missing_column(tmp_path):
    data = tmp_path / "incidents.csv"
    _write_csv(data)
    result = CliRunner().invoke(app, [
        "forecast", "backtest", "--data", str(data), "--from", "2026-04-01", "--to", "2026-04-02",
        "--col-time", "time",
    ])
    assert result.exit_code == 2
    assert "no column time" in result.output


@pytest.mark.skipif(not CHICAGO.exists(), reason=f"real data absent: {CHICAGO}")
def test_chicago_burglary_counts_over_a_year_catch_roughly_the_published_share():
    """Three weeks of December 2017: counts over the past 365 days, top 5 % of 150 m cells.
    The issue's figure for Oct-Dec 2017 is about 18 %; three weeks are noisy, so a band."""
    from yanyun.stats.backtest import Backtest, default_area
    from yanyun.stats.forecast import Counts
    from yanyun.stats.source import load_events

    ev = load_events(CHICAGO, since="2016-11-01")
    start = ev.day_index("2017-12-01")
    area = default_area(ev, start)
    assert 15_000 < area.size < 30_000  # Chicago is ~600 km², ~26,000 cells of 150 m
    res = Backtest(ev.of_categories(["BURGLARY"]), area).run(
        Counts(window_days=365), np.arange(start, start + 21)
    )
    assert 0.12 < res.pooled()[1] < 0.25


@pytest.mark.skipif(not CHICAGO.exists(), reason=f"real data absent: {CHICAGO}")
def test_chicago_night_shift_scored_on_its_own_incidents_with_hour_weighting():
    """Two weeks of December 2017, all crime: the night shift's incidents only, the day's
    counts against the same weighted by each cell's share of night incidents."""
    from yanyun.stats.backtest import Backtest, default_area
    from yanyun.stats.forecast import Counts
    from yanyun.stats.source import load_events

    ev = load_events(CHICAGO, since="2016-11-01")
    start = ev.day_index("2017-12-01")
    days = np.arange(start, start + 14)
    bt = Backtest(ev, default_area(ev, start))
    plain, weighted = bt.run_shifts(Counts(window_days=365), days, {"night": (20, 8)})
    night = ev.before(start + 20 / 24), ev.before(days[-1] + 1 + 8 / 24)
    day_only = sum(ev.before(d + 20 / 24) - ev.before(d + 8 / 24) for d in days[1:])
    assert plain.events.sum() == night[1] - night[0] - day_only
    assert 0.2 < plain.pooled()[1] < 0.4 and 0.2 < weighted.pooled()[1] < 0.4


def test_analyse_reports_hotspots_time_profile_and_near_repeats(tmp_path):
    data = tmp_path / "incidents.csv"
    _write_csv(data)
    result = CliRunner().invoke(app, [
        "forecast", "analyse", "--data", str(data), "--from", "2026-01-01", "--to", "2026-04-30",
        "--col-time", "when", "--col-lng", "x_lng", "--col-lat", "y_lat", "--col-category",
        "kind", "--permutations", "19", "--top", "3",
    ])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Gi* hot cells" in out and "| 1 |" in out and "by weekday" in out
    assert "Knox near-repeat test" in out and "0-100 m" in out


def _write_toronto_layout(path: Path, *, bad_rows: bool = True) -> int:
    """Toronto MCI's layout: the date in OCC_DATE, the hour in OCC_HOUR, 0,0 for withheld
    places."""
    ev, _ = planted(days=120, seed=11)
    lng, lat = ev.grid.projection.inverse(ev.x, ev.y)
    times = ev.epoch_day.astype("datetime64[s]") + (ev.t * 86400).astype("timedelta64[s]")
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["OCC_DATE", "OCC_HOUR", "LONG_WGS84", "LAT_WGS84", "MCI_CATEGORY"])
        for i in range(ev.size):
            day, hour = str(times[i])[:10], int(str(times[i])[11:13])
            kind = "Assault" if i % 3 else "Break and Enter"
            w.writerow([f"{day} 00:00:00", hour, f"{lng[i]:.6f}", f"{lat[i]:.6f}", kind])
        if bad_rows:
            w.writerow(["2026-03-01 00:00:00", "", f"{lng[0]:.6f}", f"{lat[0]:.6f}", "Assault"])
            w.writerow(["2026-03-01 00:00:00", "25", f"{lng[0]:.6f}", f"{lat[0]:.6f}", "Assault"])
            w.writerow(["2026-03-01 00:00:00", "3", "0", "0", "Assault"])
            w.writerow(["2026-03-01 00:00:00", "3", "", "", "Assault"])
    return ev.size


TORONTO_COLUMNS = [
    "--col-time", "OCC_DATE", "--col-hour", "OCC_HOUR", "--col-lng", "LONG_WGS84",
    "--col-lat", "LAT_WGS84", "--col-category", "MCI_CATEGORY",
]


def test_backtest_reads_a_date_and_an_hour_in_separate_columns_and_says_what_it_dropped(
    tmp_path,
):
    data = tmp_path / "mci.csv"
    n = _write_toronto_layout(data)
    result = CliRunner().invoke(app, [
        "forecast", "backtest", "--data", str(data), "--from", "2026-04-01", "--to",
        "2026-04-20", "--methods", "counts", "--category", "Break and Enter", *TORONTO_COLUMNS,
    ])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"{n + 4} rows, {n} usable" in out
    # two bad hours, a withheld place at 0,0, one with no coordinates: each with its reason
    assert "no_time 2" in out and "bad_coordinates 1" in out and "no_coordinates 1" in out
    assert "time missing or unparseable" in out
    filtered = sum(1 for i in range(n) if i % 3)
    assert f"{filtered} of another category" in out
    assert "| counts |" in out


def test_the_hour_column_places_each_incident_at_its_hour():
    import pyarrow as pa

    from yanyun.stats.source import with_hour

    days = np.array(["2026-03-01T00:00", "2026-03-02T00:00", "2026-03-03T00:00"],
                    dtype="datetime64[s]")
    got = with_hour(days, pa.chunked_array([pa.array(["7", "23", "x"])]))
    assert str(got[0]) == "2026-03-01T07:00:00" and str(got[1]) == "2026-03-02T23:00:00"
    assert np.isnat(got[2])


def test_backtest_with_nothing_usable_names_the_reasons_instead_of_a_projection_error(
    tmp_path,
):
    data = tmp_path / "mci.csv"
    n = _write_toronto_layout(data, bad_rows=False)
    # a column of words read as the time: no row has a usable time
    result = CliRunner().invoke(app, [
        "forecast", "backtest", "--data", str(data), "--from", "2026-04-01", "--to",
        "2026-04-20", "--methods", "counts", "--col-time", "MCI_CATEGORY", "--col-lng",
        "LONG_WGS84", "--col-lat", "LAT_WGS84", "--col-category", "",
    ])
    assert result.exit_code == 2
    assert "projection" not in result.output
    assert f"all {n} were dropped" in result.output
    assert "time missing or unparseable" in result.output


def test_backtest_with_no_incident_in_the_scored_period_says_so(tmp_path):
    data = tmp_path / "mci.csv"
    _write_toronto_layout(data)
    result = CliRunner().invoke(app, [
        "forecast", "backtest", "--data", str(data), "--from", "2030-01-01", "--to",
        "2030-01-10", "--methods", "counts", *TORONTO_COLUMNS,
    ])
    assert result.exit_code == 2
    assert "no incidents to score between --from and --to" in result.output
    assert "bad_coordinates" not in result.output and "coordinates out of range" in result.output
