"""Typed settings, read from `YANYUN_` environment variables.

The kernel holds only what every deployment has (where the data lives, the
secret, the server); each context keeps its own section beside its code and
names it in its manifest, and :func:`assemble_settings` joins them into one
settings class (``yanyun.registry.Settings``): ``YANYUN_<SECTION>__<NAME>``.
Settings are built explicitly at the edges (CLI, app factory, tests), never
at import, so two apps with different settings can live in one process.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, SecretStr, create_model, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev-secret"}


class WebSettings(BaseModel):
    """The HTTP server and the map."""

    host: str = Field("127.0.0.1", description="Address the server binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port the server binds.")
    tile_url: str | None = Field(
        None, description="Base-map tile URL template; none by default (vector layers only)."
    )
    tile_crs: Literal["WGS84", "GCJ02"] = Field(
        "WGS84", description="Coordinate system of the tiles at tile_url."
    )
    event_poll_s: float = Field(
        2.0,
        gt=0,
        description=(
            "Longest wait between two reads of the outbox (s); a commit wakes the reader "
            "at once, this is only the fallback."
        ),
    )
    socket_recheck_s: float = Field(
        10.0,
        gt=0,
        le=300,
        description=(
            "How often an open live-events socket checks its token again (s): after a logout "
            "or when the token expires the socket is closed within this time."
        ),
    )
    malloc_arenas: int = Field(
        2,
        ge=0,
        le=64,
        description=(
            "Most malloc arenas the server process keeps (glibc); 0 leaves glibc's default "
            "(up to 8 per core, one per busy thread, each keeping what it once held). "
            "MALLOC_ARENA_MAX in the environment wins."
        ),
    )
    live_trace_path: Path | None = Field(
        None,
        description=(
            "Append a line of stamps (wake, outbox read, fan-out, each send) per live pass to "
            "this file; for the live-latency benchmark, off by default."
        ),
    )
    sqlite_write_slots: int = Field(
        8,
        ge=1,
        le=64,
        description=(
            "Requests that may write at once on SQLite; the rest wait their turn in the event "
            "loop, not in a worker thread (threads all waiting on the one writer would leave "
            "none for the writer to finish with)."
        ),
    )


class CoreSettings(BaseSettings):
    """The settings every deployment has; contexts add their sections (see the module doc)."""

    model_config = SettingsConfigDict(
        env_prefix="YANYUN_", env_nested_delimiter="__", extra="ignore"
    )

    env: Literal["development", "test", "production"] = Field(
        "development", description="Deployment kind; production refuses placeholder secrets."
    )
    database_url: str = Field(
        "sqlite:///./var/yanyun.db",
        description="SQLAlchemy URL; postgresql+psycopg://... for production.",
    )
    lake_path: Path = Field(Path("./var/lake"), description="Folder of the data pool (Parquet).")
    secret_key: SecretStr = Field(
        SecretStr("change-me"), description="Server secret (salts, signing); set in production."
    )
    clock_start: AwareDatetime | None = Field(
        None,
        description=(
            "Start the server's clock at this instant (ISO 8601 with a zone) and let it run: "
            "a demo replayed on a chosen day, tests that must not depend on the calendar. "
            "Refused in production."
        ),
    )
    web: WebSettings = Field(default_factory=WebSettings, description="HTTP server and map.")

    @model_validator(mode="after")
    def _refuse_unsafe_outside_development(self) -> CoreSettings:
        if self.env != "development" and self.secret_key.get_secret_value() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "YANYUN_SECRET_KEY is a placeholder; set a real secret outside development "
                "(生产环境必须设置真实密钥)"
            )
        if self.env == "production" and self.clock_start is not None:
            raise ValueError(
                "YANYUN_CLOCK_START is for demos and tests; production runs on wall time "
                "(生产环境不得设置模拟时钟)"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def assemble_settings(sections: Mapping[str, type[BaseModel]]) -> type[CoreSettings]:
    """One settings class: the kernel's fields plus a section per context, each with its default."""
    clash = sorted(set(sections) & set(CoreSettings.model_fields))
    if clash:
        raise ValueError(f"settings sections clash with the kernel's fields: {clash}")
    fields: dict[str, Any] = {
        name: (
            model,
            Field(
                default_factory=model,
                description=(model.__doc__ or name).strip().split("\n")[0],
            ),
        )
        for name, model in sections.items()
    }
    return create_model(
        "Settings",
        __base__=CoreSettings,
        __doc__="All of yanyun's settings; `yanyun config show` prints them, secrets masked.",
        **fields,
    )


def masked(settings: CoreSettings) -> dict:
    """Return the effective settings as plain data with secrets and passwords masked."""
    data = settings.model_dump(mode="json")
    data["secret_key"] = "********"
    data["database_url"] = _mask_url_password(settings.database_url)
    for section in data.values():
        if isinstance(section, dict):
            for key in section:
                if "secret" in key or "password" in key:
                    section[key] = "********" if section[key] else section[key]
    return data


def _mask_url_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
