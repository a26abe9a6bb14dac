"""Nothing acknowledged is lost: kill -9 the server mid-load, then count.

The real `yanyun demo` serves on SQLite and on PostgreSQL; client threads
create incidents as fast as they can; the server is killed with SIGKILL while
requests are in flight. Every incident whose 201 the client received must be
in the database afterwards.
"""

import os
import signal
import threading
import time

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import drop_database, fresh_database_url
from tests.web.browser_support import api_login, run_demo_server
from yanyun.core.db import build_engine

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_acknowledged_incidents_survive_kill_9(backend, tmp_path, worker_id):
    url = fresh_database_url(backend, f"kill_{worker_id}", tmp_path)
    acknowledged: list[str] = []
    errors: list[str] = []
    stop = threading.Event()
    try:
        with run_demo_server(tmp_path, database_url=url) as server:
            token = api_login(server.base_url, "dispatcher")["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            station = httpx.get(
                f"{server.base_url}/api/v1/geo/stations", headers=headers, timeout=10
            ).json()["features"][0]["geometry"]["coordinates"]
            body = {
                "narrative": "报警人称电动车被盗",
                "category_code": "10",
                "sub_code": "1002",
                "lng": station[0],
                "lat": station[1],
            }

            def load() -> None:
                with httpx.Client(base_url=server.base_url, headers=headers, timeout=5) as client:
                    while not stop.is_set():
                        try:
                            resp = client.post("/api/v1/incidents", json=body)
                        except httpx.HTTPError:
                            continue  # the server died under this request: not acknowledged
                        if resp.status_code == 201:
                            acknowledged.append(resp.json()["id"])
                        else:
                            errors.append(resp.text[:200])

            threads = [threading.Thread(target=load) for _ in range(4)]
            for t in threads:
                t.start()
            deadline = time.monotonic() + 30
            while len(acknowledged) < 200 and time.monotonic() < deadline:
                time.sleep(0.05)
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)
            stop.set()
            for t in threads:
                t.join(timeout=10)
        assert not errors, errors[:3]
        assert len(acknowledged) >= 200
        from yanyun.command.models import Incident

        engine = build_engine(url)
        with engine.connect() as conn:
            stored = set(conn.scalars(select(Incident.id)))
        engine.dispose()
        lost = [i for i in acknowledged if i not in stored]
        print(
            f"\n{backend}: acknowledged {len(acknowledged)}, stored {len(stored)}, lost {len(lost)}"
        )
        assert lost == []
    finally:
        drop_database(url)
