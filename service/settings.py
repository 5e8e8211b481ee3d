"""The one settings object. Read from CHAINMAP_* environment variables when built, never at import."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting, its environment variable and default (documented in the README)."""

    model_config = SettingsConfigDict(env_prefix="CHAINMAP_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./data/chainmap.db",
        description="SQLAlchemy URL; SQLite file by default, e.g. postgresql+psycopg://user@host/db",
    )
    host: str = Field(default="127.0.0.1", description="Address the server listens on")
    port: int = Field(default=8000, description="Port the server listens on")
    workers: int = Field(
        default_factory=lambda: min(os.cpu_count() or 1, 4),
        ge=1,
        description="Server processes (default: one per CPU core, at most 4)",
    )
    chain: str = Field(default="smart_terminal", description="Code of the chain the pages show by default")
    demo_enterprises: int = Field(default=3000, description="Number of enterprises `chainmap demo` generates")
    demo_seed: int = Field(default=42, description="Random seed of the demo district")
    tiles: str = Field(default="osm", description="Base map of /map: osm, amap (GCJ-02), tianditu or none (offline)")
    tianditu_key: str | None = Field(default=None, description="Tianditu API key, needed for tiles=tianditu")
    max_body_bytes: int = Field(default=10_000_000, description="Largest request body accepted (bytes), else 413")
    secret_key: str | None = Field(
        default=None,
        description="Key signing session cookies; unset: random per server start, shared by its workers "
        "(sign-ins end on restart)",
    )
    cookie_secure: bool = Field(default=False, description="Send the session cookie over HTTPS only (set behind HTTPS)")
    login_max_failures: int = Field(default=5, description="Failed sign-ins in a row before an account is locked")
    login_lockout_minutes: int = Field(default=15, description="How long a locked account stays locked")
    data_dir: Path = Field(default=Path("data"), description="Folder for stored files (challenge attachments)")
    attachment_max_bytes: int = Field(default=5_000_000, description="Largest challenge attachment accepted (bytes)")
    login_attempts_per_minute: int = Field(default=10, description="Sign-in attempts per client address and minute")

    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            return Path(self.database_url.removeprefix(prefix))
        return None
