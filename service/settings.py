"""The one settings object. Read from CHAINMAP_* environment variables when built, never at import."""

from __future__ import annotations

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
    chain: str = Field(default="smart_terminal", description="Code of the chain the pages show by default")
    demo_enterprises: int = Field(default=3000, description="Number of enterprises `chainmap demo` generates")
    demo_seed: int = Field(default=42, description="Random seed of the demo district")
    tiles: str = Field(default="osm", description="Base map of /map: osm, amap (GCJ-02), tianditu or none (offline)")
    tianditu_key: str | None = Field(default=None, description="Tianditu API key, needed for tiles=tianditu")

    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            return Path(self.database_url.removeprefix(prefix))
        return None
