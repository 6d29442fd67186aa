"""A malformed setting stops the program with one actionable line, never a traceback."""

from __future__ import annotations

import os
import subprocess

import pytest

from science_scheduler.settings import Settings, load_settings
from tests.engines import cli_command


def _run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if "MONGODB" not in k and "REDIS" not in k}
    return subprocess.run(
        cli_command(*args), env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"MONGODB_URL": "postgres://db:5432"}, "MONGODB_URL"),
        ({"MONGODB_URL": "mongodb://"}, "MONGODB_URL"),
        ({"REDIS_URL": "http://cache:6379"}, "REDIS_URL"),
        ({"SCHEDULER_PORT": "eighty"}, "SCHEDULER_PORT"),
        ({"SCHEDULER_PORT": "70000"}, "SCHEDULER_PORT"),
        ({"S3_ENDPOINT": "minio:9000"}, "S3_ENDPOINT"),
        ({"SCHEDULER_ENVIRONMENT": "staging"}, "SCHEDULER_ENVIRONMENT"),
    ],
)
def test_a_malformed_setting_is_one_line_naming_the_setting_and_the_fix(
    env: dict[str, str], named: str
) -> None:
    # when
    result = _run_cli(env, "config")

    # then
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: setting {named} is invalid:")
    assert "fix:" in lines[0]
    assert "Traceback" not in result.stderr


def test_config_prints_effective_settings_with_secrets_masked() -> None:
    # given
    env = {
        "MONGODB_URL": "mongodb://scheduler:hunter22@db:27017/?replicaSet=rs0",
        "S3_ENDPOINT": "minio:9000",
        "S3_ACCESS_KEY": "access-key-id",
        "S3_SECRET_KEY": "very-secret-key",
        "SCHEDULER_SECRET_KEY": "signing-secret",
    }

    # when
    result = _run_cli(env, "config")

    # then
    assert result.returncode == 0, result.stderr
    assert "hunter22" not in result.stdout
    assert "very-secret-key" not in result.stdout
    assert "access-key-id" not in result.stdout
    assert "signing-secret" not in result.stdout
    assert "mongodb://scheduler:********@db:27017/?replicaSet=rs0" in result.stdout
    assert '"s3_endpoint": "minio:9000"' in result.stdout


def test_defaults_are_the_embedded_engines_on_loopback(tmp_path: os.PathLike[str]) -> None:
    # when
    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    # then
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.mongodb_url is None
    assert settings.redis_url is None
    assert not settings.uses_s3


def test_an_s3_endpoint_given_as_a_url_keeps_only_host_and_port() -> None:
    # when
    settings = load_settings(s3_endpoint="http://minio:9000/", s3_access_key="a", s3_secret_key="b")

    # then
    assert settings.s3_endpoint == "minio:9000"
