"""Alembic, driven from code so `yanyun db upgrade` needs no alembic.ini."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("yanyun") / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "heads") -> None:
    """Bring the database to `revision`, creating it if empty.

    "heads" rather than "head": contexts developed side by side may each add a
    revision on the same parent; every branch is applied.
    """
    command.upgrade(alembic_config(database_url), revision)
