import json

from typer.testing import CliRunner

from tests.conftest import login_as


def _a_grid_point(client, headers):
    grid = client.get("/api/v1/geo/grids", headers=headers, params={"limit": 1}).json()
    props = grid["features"][0]["properties"]
    resolved = client.get("/api/v1/geo/stations", headers=headers).json()
    return props, resolved


def test_summary_counts_the_built_city(client):
    admin = login_as(client, "admin")
    summary = client.get("/api/v1/geo/summary", headers=admin.headers).json()
    assert (summary["districts"], summary["stations"], summary["grids"]) == (12, 40, 400)
    assert summary["urban_grid_median_km2"] < summary["rural_grid_median_km2"] / 5


def test_resolve_point_names_grid_station_and_district(client, session):
    from sqlalchemy import select

    from yanyun.geo.models import Grid

    admin = login_as(client, "admin")
    grid = session.scalars(select(Grid).order_by(Grid.code)).first()
    resp = client.get(
        "/api/v1/geo/resolve", headers=admin.headers, params={"lng": grid.lng, "lat": grid.lat}
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["inside"] is True
    assert body["grid"]["code"] == grid.code
    assert body["station"]["code"] == grid.station_code
    assert body["district"]["code"] == grid.district_code
    assert body["org_path"].endswith(f"/{grid.station_code}/{grid.code}")


def test_point_outside_the_city_is_refused_not_guessed(client):
    admin = login_as(client, "admin")
    resp = client.get(
        "/api/v1/geo/resolve", headers=admin.headers, params={"lng": 116.397, "lat": 39.909}
    )  # Beijing
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["code"] == "outside_jurisdiction"
    assert "辖区" in error["message"]["zh-CN"]


def test_batch_resolution_marks_outside_points(client, session):
    from sqlalchemy import select

    from yanyun.geo.models import Grid

    admin = login_as(client, "admin")
    grids = session.scalars(select(Grid).order_by(Grid.code).limit(3)).all()
    points = [{"lng": g.lng, "lat": g.lat} for g in grids] + [{"lng": 0.0, "lat": 0.0}]
    body = client.post("/api/v1/geo/resolve", headers=admin.headers, json={"points": points}).json()
    assert (body["resolved"], body["outside"]) == (3, 1)
    assert [r["grid"]["code"] if r["inside"] else None for r in body["results"]] == [
        g.code for g in grids
    ] + [None]


def test_bad_coordinates_answer_422_naming_the_field(client):
    admin = login_as(client, "admin")
    resp = client.get(
        "/api/v1/geo/resolve", headers=admin.headers, params={"lng": "east", "lat": 26.9}
    )
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["field"] == "lng"
    assert error["fields"][0]["reason"]["zh-CN"] == "应为数字"
    bad_bbox = client.get("/api/v1/geo/grids", headers=admin.headers, params={"bbox": "1,2,3"})
    assert bad_bbox.status_code == 422 and bad_bbox.json()["error"]["field"] == "bbox"


def test_grids_by_bbox_only_returns_grids_touching_it(client):
    admin = login_as(client, "admin")
    bbox = (112.55, 26.85, 112.65, 26.95)  # central Hengyang
    feats = client.get(
        "/api/v1/geo/grids", headers=admin.headers, params={"bbox": ",".join(map(str, bbox))}
    ).json()["features"]
    assert feats
    for f in feats:
        coords = [c for ring in _rings(f["geometry"]) for c in ring]
        xs, ys = [c[0] for c in coords], [c[1] for c in coords]
        assert max(xs) >= bbox[0] and min(xs) <= bbox[2]
        assert max(ys) >= bbox[1] and min(ys) <= bbox[3]


def _rings(geometry):
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for poly in geometry["coordinates"] for ring in poly]


def test_city_export_writes_geojson_layers(tmp_path, monkeypatch):
    from yanyun.cli.main import app

    monkeypatch.setenv("YANYUN_DATABASE_URL", f"sqlite:///{tmp_path / 'export.db'}")
    monkeypatch.setenv("YANYUN_CITY__STATIONS", "40")
    monkeypatch.setenv("YANYUN_CITY__GRIDS", "120")
    for key, value in (
        ("FIRST_GRADE_STATIONS", "4"),
        ("SECOND_GRADE_STATIONS", "8"),
        ("COMMAND_ROOMS", "10"),
        ("MEDIATION_ROOMS", "10"),
    ):
        monkeypatch.setenv(f"YANYUN_CITY__{key}", value)
    result = CliRunner().invoke(app, ["city", "export", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    grids = json.loads((tmp_path / "out" / "grids.geojson").read_text(encoding="utf-8"))
    districts = json.loads((tmp_path / "out" / "districts.geojson").read_text(encoding="utf-8"))
    assert len(grids["features"]) == 120 and len(districts["features"]) == 12
    assert {f["properties"]["code"] for f in districts["features"]} >= {"430405", "430482"}


def test_warm_up_builds_the_city_index_before_the_first_call(runtime):
    from yanyun.geo import service

    runtime.state.pop(service.CITY_INDEX.name, None)
    service.warm_up(runtime)
    index = runtime.state[service.CITY_INDEX.name]
    assert service.city_index(runtime=runtime) is index
