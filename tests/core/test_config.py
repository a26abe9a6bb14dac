import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError
from typer.testing import CliRunner

from yanyun.cli.main import app
from yanyun.core.config import masked
from yanyun.registry import Settings, load_settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_database_url_variable_switches_backend(monkeypatch):
    monkeypatch.setenv("YANYUN_DATABASE_URL", "postgresql+psycopg://u:pw@db:5432/yanyun")
    monkeypatch.setenv("YANYUN_CITY__STATIONS", "300")
    settings = load_settings()
    assert not settings.is_sqlite
    assert settings.city.stations == 300


def test_defaults_are_embedded_storage(monkeypatch):
    for key in ("YANYUN_DATABASE_URL", "YANYUN_ENV", "YANYUN_SECRET_KEY"):
        monkeypatch.delenv(key, raising=False)
    settings = load_settings()
    assert settings.database_url == "sqlite:///./var/yanyun.db"
    assert str(settings.lake_path) == "var/lake"


@pytest.mark.parametrize("env", ["test", "production"])
def test_placeholder_secret_refused_outside_development(env):
    with pytest.raises(ValidationError, match="placeholder"):
        Settings(env=env, secret_key="change-me")
    assert Settings(env=env, secret_key="a-real-secret-value").env == env


def test_masked_hides_secret_and_database_password():
    shown = masked(
        Settings(database_url="postgresql+psycopg://u:hunter2@db/yanyun", secret_key="s3cr3t-value")
    )
    text = repr(shown)
    assert "hunter2" not in text and "s3cr3t-value" not in text
    assert shown["database_url"].startswith("postgresql+psycopg://u:***")


def test_config_show_prints_settings_with_secrets_masked(monkeypatch):
    monkeypatch.setenv("YANYUN_SECRET_KEY", "top-secret-key-123")
    result = CliRunner().invoke(app, ["config", "show"])
    assert result.exit_code == 0, result.output
    assert "top-secret-key-123" not in result.output
    assert '"database_url"' in result.output


def _leaf_settings(model: type[BaseModel], prefix: str = "") -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += _leaf_settings(annotation, f"{prefix}{name}__")
        else:
            names.append(f"YANYUN_{prefix}{name}".upper())
    return names


def test_every_setting_is_documented():
    documented = set(re.findall(r"`(YANYUN_[A-Z0-9_]+)`", DOCS.read_text(encoding="utf-8")))
    missing = sorted(set(_leaf_settings(Settings)) - documented)
    assert not missing, f"settings missing from docs/settings.md: {missing}"
