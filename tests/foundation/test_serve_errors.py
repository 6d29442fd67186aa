"""`serve` refuses to start with one line naming the problem and the fix, and starts nothing."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import psutil

from tests.engines import cli_command, free_port


def _serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MONGODB", "REDIS", "S3_"))}
    return subprocess.run(
        cli_command("serve", *args),
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def _no_engine_left_running(data_dir: Path) -> bool:
    for process in psutil.process_iter(["cmdline"]):
        if str(data_dir) in " ".join(process.info["cmdline"] or []):
            return False
    return True


def test_a_port_in_use_is_named_with_the_fix(tmp_path: Path) -> None:
    # given
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        # when
        result = _serve("--data-dir", str(tmp_path / "data"), "--port", str(port))

    # then
    line = _one_error_line(result)
    assert line.startswith(f"error: port {port} on 127.0.0.1 is not available")
    assert "--port" in line
    assert _no_engine_left_running(tmp_path / "data")


def test_an_unwritable_data_dir_is_named_with_the_fix(tmp_path: Path) -> None:
    # given: a data dir below a regular file cannot be created, even by root
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")

    # when
    result = _serve("--data-dir", str(blocker / "data"), "--port", str(free_port()))

    # then
    line = _one_error_line(result)
    assert line.startswith(f"error: data dir {blocker / 'data'} is not writable")
    assert "--data-dir" in line


def test_an_unreachable_s3_endpoint_is_named_with_the_fix(tmp_path: Path) -> None:
    # given: nothing listens on this port
    env = {
        "S3_ENDPOINT": f"127.0.0.1:{free_port()}",
        "S3_ACCESS_KEY": "key",
        "S3_SECRET_KEY": "secret-key",
    }

    # when
    result = _serve("--data-dir", str(tmp_path / "data"), "--port", str(free_port()), env=env)

    # then
    line = _one_error_line(result)
    assert "S3_ENDPOINT" in line
    assert "fix:" in line
    assert _no_engine_left_running(tmp_path / "data")


def test_an_unreachable_mongodb_is_named_with_the_fix(tmp_path: Path) -> None:
    # given
    env = {"MONGODB_URL": f"mongodb://127.0.0.1:{free_port()}/?serverSelectionTimeoutMS=500"}

    # when
    result = _serve("--data-dir", str(tmp_path / "data"), "--port", str(free_port()), env=env)

    # then
    line = _one_error_line(result)
    assert line.startswith("error: MongoDB at MONGODB_URL cannot be reached")
    assert "fix:" in line


def test_a_malformed_mongodb_url_stops_serve_before_anything_starts(tmp_path: Path) -> None:
    # when
    result = _serve("--data-dir", str(tmp_path / "data"), env={"MONGODB_URL": "mongo://db"})

    # then
    line = _one_error_line(result)
    assert line.startswith("error: setting MONGODB_URL is invalid")
    assert not (tmp_path / "data").exists()
