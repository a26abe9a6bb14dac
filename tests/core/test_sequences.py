"""Numbers per day and kind: handed out one at a time, never twice, under concurrent writers."""

import threading
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import drop_database, fresh_database_url
from yanyun.core.db import build_engine
from yanyun.core.migrate import upgrade
from yanyun.core.sequences import next_of_day

DAY = date(2026, 12, 5)


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_concurrent_writers_get_every_number_once(backend, tmp_path, worker_id):
    url = fresh_database_url(backend, f"seq_{worker_id}", tmp_path)
    upgrade(url)
    engine = build_engine(url)
    got: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def take(n: int) -> None:
        try:
            for _ in range(n):
                with Session(engine) as session, session.begin():
                    number = next_of_day(session, "case", DAY)
                with lock:
                    got.append(number)
        except BaseException as exc:
            errors.append(exc)

    try:
        threads = [threading.Thread(target=take, args=(10,)) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors
        assert sorted(got) == list(range(1, 61))
        with Session(engine) as session, session.begin():
            assert next_of_day(session, "fraud_warning", DAY) == 1  # kinds count apart
            assert next_of_day(session, "case", date(2026, 12, 6)) == 1  # and days
        with engine.connect() as conn:
            assert conn.execute(text("select last from day_sequence where kind='case' "
                                     "and day=:d"), {"d": DAY}).scalar() == 60
    finally:
        engine.dispose()
        drop_database(url)
