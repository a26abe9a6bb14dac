"""Typed settings, read from `YANYUN_` environment variables.

Built explicitly by `load_settings()` at the edges (CLI, app factory, tests),
never at import, so two apps with different settings can live in one process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev-secret"}


class AuthSettings(BaseModel):
    """Logins and tokens."""

    token_ttl_s: int = Field(12 * 3600, ge=60, description="Lifetime of a login token (s).")
    max_failed_logins: int = Field(
        5, ge=1, description="Failed logins per user name in the window before it is throttled."
    )
    failed_login_window_s: int = Field(
        900, ge=10, description="Window over which failed logins are counted (s)."
    )


class CitySettings(BaseModel):
    """The demo city: which boundaries, how many stations and grids, from which seed."""

    name: str = Field("hengyang", description="Boundary file under yanyun/data/boundaries.")
    seed: int = Field(20261123, description="Seed of the deterministic city generator.")
    stations: int = Field(202, ge=1, description="Police stations (派出所) to generate.")
    grids: int = Field(4882, ge=1, description="Policing grids (网格) to generate.")
    urban_districts: list[str] = Field(
        default_factory=lambda: ["珠晖区", "雁峰区", "石鼓区", "蒸湘区", "南岳区"],
        description="Districts drawn with dense, small urban grids.",
    )
    urban_density: float = Field(
        15.0, gt=0, description="Grids per km² in urban districts relative to rural ones."
    )
    first_grade_stations: int = Field(19, ge=0, description="一级派出所 count.")
    second_grade_stations: int = Field(60, ge=0, description="二级派出所 count.")
    command_rooms: int = Field(
        71, ge=0, description="Stations with an integrated duty command room."
    )
    mediation_rooms: int = Field(78, ge=0, description="Stations with a mediation room.")

    @model_validator(mode="after")
    def _counts_fit(self) -> CitySettings:
        if self.grids < self.stations:
            raise ValueError("city.grids must be at least city.stations (每个派出所至少一个网格)")
        if self.first_grade_stations + self.second_grade_stations > self.stations:
            raise ValueError("first- and second-grade stations exceed city.stations")
        if max(self.command_rooms, self.mediation_rooms) > self.stations:
            raise ValueError("stations with rooms exceed city.stations")
        return self


class CommandSettings(BaseModel):
    """Incidents, the 1-3-5 clock, duplicates and unit positions."""

    catalogue_path: Path | None = Field(
        None, description="A bureau's own incident category catalogue (JSON); none = shipped."
    )
    dispatch_target_s: int = Field(60, ge=1, description="Dispatch within this of receipt (s).")
    urban_arrival_target_s: int = Field(
        600, ge=60, description="Arrival target outside any 1-3-5 circle, urban districts (s)."
    )
    rural_arrival_target_s: int = Field(
        1200, ge=60, description="Arrival target outside any 1-3-5 circle, rural counties (s)."
    )
    duplicate_radius_m: float = Field(
        300, gt=0, description="Calls this close (and close in time) are offered as duplicates."
    )
    duplicate_window_s: int = Field(
        1800, gt=0, description="Calls this close in time (and place) are offered as duplicates."
    )
    position_stale_after_s: int = Field(
        120, gt=0, description="A unit position older than this is flagged stale (s)."
    )
    breach_scan_s: float = Field(
        5.0, gt=0, description="How often open incidents are checked for missed 1-3-5 targets."
    )
    position_future_tolerance_s: int = Field(
        60, ge=0, description="Positions stamped further in the future than this are rejected."
    )


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
        0.25, gt=0, description="How often committed events are read for live fan-out (s)."
    )


class StatsSettings(BaseModel):
    """Hotspots and forecasts (情报研判)."""

    cell_m: float = Field(150.0, ge=10, description="Forecast cell size (m).")
    forecast_method: Literal["counts", "retro", "prospective", "etas", "boosted"] = Field(
        "retro", description="Method of the platform's next-day forecast."
    )
    window_days: int = Field(365, ge=1, description="Past window the forecast reads (days).")
    bandwidth_m: float = Field(300.0, ge=0, description="Kernel bandwidth, retro/prospective (m).")
    coverage: float = Field(
        0.05, gt=0, le=1, description="Share of cells flagged as hotspots and scored."
    )
    score_days: int = Field(30, ge=1, le=120, description="Days of the live score.")


class Settings(BaseSettings):
    """All of yanyun's settings; `yanyun config show` prints them, secrets masked."""

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
    auth: AuthSettings = Field(default_factory=AuthSettings, description="Logins and tokens.")
    city: CitySettings = Field(default_factory=CitySettings, description="The demo city.")
    command: CommandSettings = Field(
        default_factory=CommandSettings, description="Command and dispatch."
    )
    web: WebSettings = Field(default_factory=WebSettings, description="HTTP server and map.")
    stats: StatsSettings = Field(
        default_factory=StatsSettings, description="Hotspots and forecasts."
    )

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.env != "development" and self.secret_key.get_secret_value() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "YANYUN_SECRET_KEY is a placeholder; set a real secret outside development "
                "(生产环境必须设置真实密钥)"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides on top."""
    return Settings(**overrides)


def masked(settings: Settings) -> dict:
    """Return the effective settings as plain data with secrets and passwords masked."""
    data = settings.model_dump(mode="json")
    data["secret_key"] = "********"
    data["database_url"] = _mask_url_password(settings.database_url)
    return data


def _mask_url_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
