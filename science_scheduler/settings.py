"""Every setting of the server, read from the environment and `.env` in one place."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from pymongo.errors import ConfigurationError, InvalidURI
from pymongo.uri_parser import parse_uri

SECRET_KEY_FILE = "secret.key"


def _env(name: str) -> AliasChoices:
    """Accept both the bare production name (MONGODB_URL) and a prefixed one."""
    return AliasChoices(name, f"SCHEDULER_{name}")


# What to tell the user for each setting when its value is rejected.
_FIXES: dict[str, str] = {
    "MONGODB_URL": "set it to a MongoDB URL such as mongodb://db:27017/?replicaSet=rs0, "
    "or unset it to use the embedded engine",
    "REDIS_URL": "set it to a Redis URL such as redis://redis:6379/0, "
    "or unset it to use the embedded engine",
    "S3_ENDPOINT": "set it to host:port of an S3 service (for example minio:9000) together with "
    "S3_ACCESS_KEY and S3_SECRET_KEY, or unset it to use the filesystem store",
    "SCHEDULER_PORT": "use a whole number from 1 to 65535",
    "SCHEDULER_HOST": "use an address such as 127.0.0.1 or 0.0.0.0",
    "SCHEDULER_ENVIRONMENT": "use development or production",
    "SCHEDULER_LOG_FORMAT": "use auto, json or console",
}


class Settings(BaseSettings):
    """Effective configuration; the embedded engines are used where no URL is given."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Field(Path("data"), validation_alias=AliasChoices("SCHEDULER_DATA_DIR"))
    # The built web client served at `/` (docs/gui.md); the checkout's client/dist by default.
    client_dir: Path = Field(
        Path(__file__).resolve().parents[1] / "client" / "dist",
        validation_alias=AliasChoices("SCHEDULER_CLIENT_DIR"),
    )
    host: str = Field("127.0.0.1", validation_alias=AliasChoices("SCHEDULER_HOST"))
    port: Annotated[int, Field(ge=1, le=65535)] = Field(
        8000, validation_alias=AliasChoices("SCHEDULER_PORT")
    )
    public_url: str | None = Field(None, validation_alias=AliasChoices("SCHEDULER_PUBLIC_URL"))
    environment: Literal["development", "production"] = Field(
        "development", validation_alias=AliasChoices("SCHEDULER_ENVIRONMENT")
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias=AliasChoices("SCHEDULER_LOG_LEVEL")
    )
    log_format: Literal["auto", "json", "console"] = Field(
        "auto", validation_alias=AliasChoices("SCHEDULER_LOG_FORMAT")
    )
    secret_key: SecretStr | None = Field(None, validation_alias=_env("SECRET_KEY"))

    mongodb_url: str | None = Field(None, validation_alias=_env("MONGODB_URL"))
    mongodb_database: str = Field("science_scheduler", validation_alias=_env("MONGODB_DATABASE"))
    redis_url: str | None = Field(None, validation_alias=_env("REDIS_URL"))

    s3_endpoint: str | None = Field(None, validation_alias=_env("S3_ENDPOINT"))
    s3_access_key: SecretStr | None = Field(None, validation_alias=_env("S3_ACCESS_KEY"))
    s3_secret_key: SecretStr | None = Field(None, validation_alias=_env("S3_SECRET_KEY"))
    s3_bucket: str = Field("science-scheduler", validation_alias=_env("S3_BUCKET"))
    s3_secure: bool = Field(False, validation_alias=_env("S3_SECURE"))
    s3_region: str | None = Field(None, validation_alias=_env("S3_REGION"))

    admin_email: str | None = Field(None, validation_alias=AliasChoices("SCHEDULER_ADMIN_EMAIL"))
    admin_password: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SCHEDULER_ADMIN_PASSWORD")
    )
    access_token_minutes: Annotated[int, Field(ge=1, le=1440)] = Field(
        15, validation_alias=AliasChoices("SCHEDULER_ACCESS_TOKEN_MINUTES")
    )
    refresh_token_days: Annotated[int, Field(ge=1, le=365)] = Field(
        7, validation_alias=AliasChoices("SCHEDULER_REFRESH_TOKEN_DAYS")
    )
    # Login throttling (sliding window): failed attempts per account, password checks per
    # client address.
    login_window_minutes: Annotated[int, Field(ge=1, le=1440)] = Field(
        15, validation_alias=AliasChoices("SCHEDULER_LOGIN_WINDOW_MINUTES")
    )
    login_failures_per_account: Annotated[int, Field(ge=1)] = Field(
        10, validation_alias=AliasChoices("SCHEDULER_LOGIN_FAILURES_PER_ACCOUNT")
    )
    login_attempts_per_address: Annotated[int, Field(ge=1)] = Field(
        30, validation_alias=AliasChoices("SCHEDULER_LOGIN_ATTEMPTS_PER_ADDRESS")
    )

    worker_heartbeat_seconds: Annotated[int, Field(ge=1, le=3600)] = Field(
        2, validation_alias=AliasChoices("SCHEDULER_WORKER_HEARTBEAT_SECONDS")
    )
    # Frame uploads and the image pipeline (docs/image-pipeline.md).
    max_upload_bytes: Annotated[int, Field(ge=2880)] = Field(
        2 * 1024**3, validation_alias=AliasChoices("SCHEDULER_MAX_UPLOAD_BYTES")
    )
    pipeline_sweep_seconds: Annotated[int, Field(ge=1, le=3600)] = Field(
        60, validation_alias=AliasChoices("SCHEDULER_PIPELINE_SWEEP_SECONDS")
    )
    pipeline_stuck_seconds: Annotated[int, Field(ge=1)] = Field(
        600, validation_alias=AliasChoices("SCHEDULER_PIPELINE_STUCK_SECONDS")
    )
    # Dispatch: ephemerides kept in memory, one per site and night (a fleet's worth and more).
    ephemeris_cache_entries: Annotated[int, Field(ge=1)] = Field(
        2048, validation_alias=AliasChoices("SCHEDULER_EPHEMERIS_CACHE_ENTRIES")
    )
    # The observatory plugin bridge (docs/plugin-protocol.md, "Heartbeats and timeouts").
    plugin_heartbeat_interval_seconds: Annotated[float, Field(gt=0, le=3600)] = Field(
        30.0, validation_alias=AliasChoices("SCHEDULER_PLUGIN_HEARTBEAT_INTERVAL_SECONDS")
    )
    plugin_heartbeat_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = Field(
        90.0, validation_alias=AliasChoices("SCHEDULER_PLUGIN_HEARTBEAT_TIMEOUT_SECONDS")
    )
    plugin_offline_grace_seconds: Annotated[float, Field(ge=0, le=86400)] = Field(
        300.0, validation_alias=AliasChoices("SCHEDULER_PLUGIN_OFFLINE_GRACE_SECONDS")
    )
    plugin_min_version: str = Field(
        "1.0.0", validation_alias=AliasChoices("SCHEDULER_PLUGIN_MIN_VERSION")
    )

    @field_validator("mongodb_url")
    @classmethod
    def _mongodb_url_parses(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parse_uri(value)
        except (InvalidURI, ConfigurationError, ValueError) as error:
            raise ValueError(f"not a MongoDB URL ({error})") from None
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url_parses(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"redis", "rediss", "unix"} or not (parts.hostname or parts.path):
            raise ValueError("not a Redis URL (expected redis://host:port/db)")
        return value

    @field_validator("s3_endpoint")
    @classmethod
    def _s3_endpoint_is_host_port(cls, value: str | None) -> str | None:
        if value is None:
            return None
        host_port = value.split("://", 1)[-1].rstrip("/")
        if not host_port or "/" in host_port:
            raise ValueError("expected host[:port] without a path")
        return host_port

    @model_validator(mode="after")
    def _s3_credentials_given(self) -> Settings:
        if self.s3_endpoint and not (self.s3_access_key and self.s3_secret_key):
            raise ValueError("S3_ENDPOINT is set but S3_ACCESS_KEY or S3_SECRET_KEY is missing")
        return self

    @property
    def uses_s3(self) -> bool:
        return self.s3_endpoint is not None

    @property
    def objects_dir(self) -> Path:
        return self.data_dir / "objects"

    @property
    def base_url(self) -> str:
        """The URL clients use to reach this server (for signed download links)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in {"0.0.0.0", "::"} else self.host
        return f"http://{host}:{self.port}"

    def resolved_secret_key(self) -> bytes:
        """The signing key: from the setting, else one generated once and kept in the data dir."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / SECRET_KEY_FILE
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip().encode()

    def masked(self) -> dict[str, object]:
        """Settings as a flat dict with secrets masked, for `science-scheduler config`."""
        shown: dict[str, object] = {}
        for name, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                shown[name] = "********"
            elif name in {"mongodb_url", "redis_url"} and isinstance(value, str):
                shown[name] = _mask_url_password(value)
            else:
                shown[name] = str(value) if isinstance(value, Path) else value
        return shown


class SettingsError(Exception):
    """A setting was rejected; the message is one actionable line."""


def _mask_url_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":********@", 1)


def _env_name_of(field: str) -> str:
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info is not None else None
    if isinstance(alias, AliasChoices) and alias.choices:
        return str(alias.choices[0])
    return field.upper()


def load_settings(**overrides: object) -> Settings:
    """Read the settings; raise SettingsError with one actionable line when one is malformed."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        env_name = _env_name_of(field) if field else "S3_ENDPOINT"
        reason = str(first["msg"]).removeprefix("Value error, ")
        fix = _FIXES.get(env_name, "correct or unset it")
        raise SettingsError(f"setting {env_name} is invalid: {reason}; fix: {fix}") from None
