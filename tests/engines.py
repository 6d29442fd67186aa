"""Real engines and real server processes for the tests, on free loopback ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from science_scheduler.embedded.mongo_server import mongodb_url
from science_scheduler.embedded.valkey import redis_url, valkey_command

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listened on {HOST}:{port} within {timeout_s} s")


def wait_for_http(url: str, timeout_s: float = 30.0, status: int = 200) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    last: httpx.Response | None = None
    while time.monotonic() < deadline:
        try:
            last = httpx.get(url, timeout=2.0)
            if last.status_code == status:
                return last
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer {status} in {timeout_s} s (last: {last})")


def stop_process(process: subprocess.Popen[bytes], timeout_s: float = 15.0) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return int(process.returncode)


@dataclass
class Engine:
    url: str
    port: int
    process: subprocess.Popen[bytes]


@contextmanager
def running_mongo(data_dir: Path) -> Iterator[Engine]:
    port = free_port()
    command = [sys.executable, "-m", "science_scheduler.embedded.mongo_server"]
    command += ["--database-file", str(data_dir / "documents.sqlite3"), "--port", str(port)]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield Engine(mongodb_url(HOST, port), port, process)
    finally:
        stop_process(process)


@contextmanager
def running_valkey(data_dir: Path) -> Iterator[Engine]:
    port = free_port()
    process = subprocess.Popen(valkey_command(data_dir, HOST, port), stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        yield Engine(redis_url(HOST, port), port, process)
    finally:
        stop_process(process)


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "science_scheduler.cli", *args]


@contextmanager
def running_cli(
    args: list[str], env: Mapping[str, str], log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A `science-scheduler` process whose stderr goes to `log_path`, stopped at the end."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            cli_command(*args),
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            stop_process(process)
