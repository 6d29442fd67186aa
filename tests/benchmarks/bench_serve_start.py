"""`serve` cold start to /readyz 200, on a fresh data dir and again on the same (warm) data dir.

Run: .venv/bin/python tests/benchmarks/bench_serve_start.py
Target (issue 2): < 10 s after installation.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.engines import cli_command, free_port, stop_process, wait_for_http

RUNS = 3


def time_to_ready(data_dir: Path) -> float:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONGODB", "REDIS", "S3_"))}
    started = time.perf_counter()
    process = subprocess.Popen(
        cli_command("serve", "--data-dir", str(data_dir), "--port", str(port)),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/readyz", timeout_s=120)
        return time.perf_counter() - started
    finally:
        stop_process(process, timeout_s=30)


def main() -> None:
    print("serve: start to /readyz 200 (target < 10 s)")
    for run in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            data_dir = Path(tmp) / "data"
            cold = time_to_ready(data_dir)
            warm = time_to_ready(data_dir)
        print(f"  run {run + 1}: fresh data dir {cold:5.2f} s   existing data dir {warm:5.2f} s")


if __name__ == "__main__":
    main()
