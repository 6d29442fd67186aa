"""The production files agree with the code (no Docker engine runs here to start them)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from science_scheduler.settings import load_settings

DOCKER = Path(__file__).resolve().parents[2] / "docker"
ROOT = DOCKER.parent


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    return loaded


def _substitute(value: str) -> str:
    """Resolve ${VAR:?msg} and ${VAR:-default} the way compose does, with sample values."""
    return re.sub(r"\$\{(\w+)(?::[?-]([^}]*))?\}", lambda m: f"sample-{m.group(1).lower()}", value)


def test_compose_has_every_production_service_with_health_checks_and_restart_policies() -> None:
    # when
    services = _compose()["services"]

    # then
    assert set(services) == {"nginx", "api", "worker", "mongo", "valkey", "minio"}
    for name, service in services.items():
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name
    for stateful in ("mongo", "valkey", "minio"):
        assert services[stateful]["volumes"], stateful
    assert "--replSet" in services["mongo"]["command"]
    assert "--appendonly" in services["valkey"]["command"]


def test_the_app_environment_in_compose_is_accepted_by_the_settings() -> None:
    # given
    env = {k: _substitute(str(v)) for k, v in _compose()["services"]["api"]["environment"].items()}

    # when
    settings = load_settings(**{k.lower(): v for k, v in env.items()})

    # then
    assert settings.mongodb_url == "mongodb://mongo:27017/?replicaSet=rs0&w=majority"
    assert settings.redis_url == "redis://valkey:6379/0"
    assert settings.s3_endpoint == "minio:9000"
    assert settings.environment == "production"


def test_the_image_copies_every_python_package_the_project_installs() -> None:
    # given
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    dockerfile = (DOCKER / "Dockerfile").read_text()

    # then
    for package in packages:
        assert f"COPY {package} ./{package}" in dockerfile, package


def test_nginx_passes_websocket_upgrades_and_streams_uploads() -> None:
    # when
    conf = (DOCKER / "nginx.conf").read_text()

    # then
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_request_buffering off;" in conf
    assert "server api:8000;" in conf
