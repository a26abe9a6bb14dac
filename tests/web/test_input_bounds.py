"""Every number, date, code and id a request carries is bounded at the edge.

The first test walks the routes: a parameter or body field added tomorrow
without a bound fails it. The others send the values an outside fuzzing run
found to break the server (dates at the ends of the calendar, offsets past
any integer column) and expect a clear 422 on both backends, and a keep-alive
connection that survives an unexpected error.
"""

from __future__ import annotations

import typing
from datetime import date, datetime

import annotated_types
import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

from tests.conftest import login_as
from yanyun.core.params import BOUNDED_VALIDATORS
from yanyun.web.app import routers


def _bounded(metadata: list[object], annotation: object) -> bool:
    for meta in metadata:
        if isinstance(meta, annotated_types.Le | annotated_types.Lt | annotated_types.MaxLen):
            return True
        if getattr(meta, "le", None) is not None or getattr(meta, "lt", None) is not None:
            return True
        if getattr(meta, "max_length", None) is not None or getattr(meta, "pattern", None):
            return True
        if getattr(meta, "func", None) in BOUNDED_VALIDATORS:
            return True
    args = typing.get_args(annotation)
    # Enums and literals are bounded by their members; booleans by nature.
    return annotation is bool or (
        bool(args) and all(a is type(None) or _closed(a) for a in args)
    ) or _closed(annotation)


def _closed(annotation: object) -> bool:
    return (
        typing.get_origin(annotation) is typing.Literal
        or (isinstance(annotation, type) and issubclass(annotation, bool))
        or (isinstance(annotation, type) and hasattr(annotation, "__members__"))
    )


def _scalar_kinds(annotation: object) -> set[type]:
    found = set()
    for a in (annotation, *typing.get_args(annotation)):
        if a in (int, float, str, date, datetime):
            found.add(a)
    return found


def _unbounded_params() -> list[str]:
    loose = []
    for router in routers():
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            for param in route.dependant.query_params + route.dependant.path_params:
                info = param.field_info
                if _scalar_kinds(info.annotation) and not _bounded(info.metadata,
                                                                   info.annotation):
                    loose.append(f"{route.path} {param.name}: {info.annotation}")
    return loose


def _body_models() -> list[type[BaseModel]]:
    models, stack = [], []
    for router in routers():
        for route in router.routes:
            if isinstance(route, APIRoute) and route.body_field is not None:
                stack.append(route.body_field.field_info.annotation)
    seen: set[type] = set()
    while stack:
        ann = stack.pop()
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            if ann not in seen:
                seen.add(ann)
                models.append(ann)
                stack.extend(f.annotation for f in ann.model_fields.values())
        else:
            stack.extend(typing.get_args(ann))
    return models


def test_every_query_and_path_parameter_is_bounded():
    loose = _unbounded_params()
    assert not loose, "unbounded parameters:\n" + "\n".join(loose)


def test_every_date_and_moment_in_a_request_body_is_bounded():
    loose = []
    for model in _body_models():
        for name, field in model.model_fields.items():
            kinds = _scalar_kinds(field.annotation)
            if kinds & {date, datetime}:
                metas = [m for a in typing.get_args(field.annotation) for m in
                         getattr(a, "__metadata__", ())] + list(field.metadata)
                if not any(getattr(m, "func", None) in BOUNDED_VALIDATORS for m in metas):
                    loose.append(f"{model.__name__}.{name}: {field.annotation}")
    assert not loose, "unbounded dates in bodies:\n" + "\n".join(loose)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/dashboard/day?day=9999-12-31",
        "/api/v1/dashboard/day?day=0001-01-01",
        "/api/v1/oversight/tasks?offset=99999999999999999999999",
        "/api/v1/oversight/risks?offset=61013508178533519863301833490432",
        "/api/v1/opinion/events?offset=74469390599716601856",
        "/api/v1/duty/officers?offset=99999999999999999999999",
        "/api/v1/oversight/board?day=9999-12-31",
        "/api/v1/duty/tidal?day=0001-01-01",
    ],
)
def test_values_past_the_ends_get_a_clear_422(client, path):
    admin = login_as(client, "admin")
    resp = client.get(path, headers=admin.headers)
    assert resp.status_code == 422, (path, resp.status_code, resp.text)
    error = resp.json()["error"]
    assert error["field"] in path
    assert error["message"]["zh-CN"] and error["message"]["en"]


def test_a_clock_in_at_the_end_of_time_is_refused_with_the_field(client):
    admin = login_as(client, "admin")
    # The body is checked before the post is looked up: any id will do.
    post_id = "01ZZZZZZZZZZZZZZZZZZZZZZZZ"
    resp = client.post(f"/api/v1/duty/posts/{post_id}/clock-ins", headers=admin.headers,
                       json={"at": "9999-12-31T23:00:00+08:00", "lng": 112.6, "lat": 26.9})
    assert resp.status_code == 422, resp.text
    fields = {f["field"]: f for f in resp.json()["error"]["fields"]}
    assert fields["at"]["type"] == "date_out_of_range"
    assert "日期超出范围" in fields["at"]["reason"]["zh-CN"]


def test_a_page_takes_no_template_from_the_query(client):
    resp = client.get("/map", params={"template": "../../../etc/passwd"})
    assert resp.status_code == 200
    assert "passwd" not in resp.text


def test_an_empty_service_day_on_a_visit_is_a_clear_answer(client):
    admin = login_as(client, "admin")
    enterprises = client.get("/api/v1/community/enterprises", headers=admin.headers,
                             params={"limit": 1}).json()
    rows = enterprises["items"] if isinstance(enterprises, dict) else enterprises
    enterprise_id = rows[0]["id"] if rows else "EN00001"
    resp = client.post(f"/api/v1/community/enterprises/{enterprise_id}/visits",
                       headers=admin.headers,
                       json={"visited_at": "2026-11-23T10:00:00+08:00", "service_day_id": ""})
    assert resp.status_code in (201, 404, 422), resp.text
    assert resp.json().get("error", {}).get("code") != "internal"


def test_an_opinion_file_with_a_nul_after_four_kib_is_refused_not_a_failure(client):
    opinion = login_as(client, "opinion")
    body = ("衡阳网友称石鼓区一路口两车相撞。" * 400).encode() + b"\x00tail"
    resp = client.post("/api/v1/opinion/files", headers=opinion.headers, content=body,
                       params={"filename": "posts.txt"})
    assert resp.status_code in (200, 422), resp.text
    if resp.status_code == 200:
        result = resp.json()
        # Refused and counted, never lost in silence.
        assert result["accepted"] == 0 and result["rejected"] == {"malformed": 1}, result
