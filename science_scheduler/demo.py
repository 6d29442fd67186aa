"""`science-scheduler demo`: the embedded server, demo data, and a simulated observatory.

Starts everything `serve` starts, then creates (through GraphQL) an organization, a user, a
project, an observatory at a site where it is night now and observations of Messier objects
high in its sky, and runs a simulated observatory against it, faster than real time, with a
spell of bad weather, so every observation moves through its states with real solved frames.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from science_scheduler.settings import Settings

DEMO_ADMIN_EMAIL = "admin@demo.example.org"
DEMO_ADMIN_PASSWORD = "demo admin password"


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir", type=Path, default=Path("demo-data"), help="default ./demo-data"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--speedup", type=float, default=20.0, help="the observatory exposes N times faster"
    )
    parser.add_argument("--targets", type=int, default=5, help="observations to submit (1-5)")
    parser.add_argument(
        "--weather-unsafe",
        action="append",
        metavar="START:DURATION",
        help="clouds from START s for DURATION s (default 45:30; 'none' for a clear night)",
    )
    parser.add_argument(
        "--drop-rate", type=float, default=0.0, help="fault: drop the plugin connection"
    )


def run_demo(args: argparse.Namespace) -> None:
    from science_scheduler.serve import (
        data_dir_lock,
        ensure_data_dir_writable,
        ensure_port_free,
    )
    from science_scheduler.settings import load_settings

    # The engines' and workers' info lines would drown the simulated observatory's story.
    os.environ.setdefault("SCHEDULER_LOG_LEVEL", "WARNING")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not os.environ.get("SCHEDULER_ADMIN_EMAIL"):
        os.environ["SCHEDULER_ADMIN_EMAIL"] = DEMO_ADMIN_EMAIL
        os.environ["SCHEDULER_ADMIN_PASSWORD"] = DEMO_ADMIN_PASSWORD
    settings = load_settings(data_dir=args.data_dir, host=args.host, port=args.port)
    data_dir = settings.data_dir.resolve()
    ensure_data_dir_writable(data_dir)
    ensure_port_free(settings.host, settings.port)
    with data_dir_lock(data_dir):
        settings.resolved_secret_key()
        asyncio.run(_demo(settings, args))


async def _demo(settings: Settings, args: argparse.Namespace) -> None:
    from science_scheduler.demo_setup import create_demo_data
    from science_scheduler.demo_sky import night_site, visible_targets
    from science_scheduler.serve import build_children, status_file
    from science_scheduler.simulator.camera import Optics
    from science_scheduler.simulator.driver import Simulator
    from science_scheduler.simulator.options import (
        DEFAULT_FILTERS,
        SimulatorOptions,
        UnsafePeriod,
    )
    from science_scheduler.supervisor import Supervisor

    data_dir = settings.data_dir.resolve()
    supervisor = Supervisor(build_children(settings), status_file=status_file(data_dir))
    ready = asyncio.Event()
    serving = asyncio.create_task(supervisor.run(on_ready=ready.set))
    simulator: Simulator | None = None

    def stop() -> None:
        if simulator is not None and not simulator.stopped.is_set():
            simulator.stop()
        else:
            supervisor.request_stop()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop)
    started = asyncio.create_task(ready.wait())
    await asyncio.wait({serving, started}, return_when=asyncio.FIRST_COMPLETED)
    if not ready.is_set():
        started.cancel()
        await serving
        return

    now = datetime.now(UTC)
    site = night_site(now)
    targets = visible_targets(site, now, max(1, min(args.targets, 5)))
    optics = Optics()
    admin_email = os.environ["SCHEDULER_ADMIN_EMAIL"]
    admin_password = os.environ.get("SCHEDULER_ADMIN_PASSWORD", "")
    data = await create_demo_data(
        settings.base_url,
        (admin_email, admin_password),
        site,
        targets,
        optics,
        list(DEFAULT_FILTERS),
        now,
    )
    weather = args.weather_unsafe or ["45:30"]
    periods = tuple(UnsafePeriod.parse(text) for text in weather if text != "none")
    options = SimulatorOptions(
        server=settings.base_url,
        api_key=data.api_key,
        state_dir=data_dir / "simulator" / data.observatory_id,
        speedup=args.speedup,
        drop_rate=args.drop_rate,
        unsafe_periods=periods,
        optics=optics,
    )
    url = settings.base_url
    lines = [
        "",
        "Science Scheduler demo is running (Ctrl-C stops it).",
        f"  GUI:       {url}/",
        f"  GraphiQL:  {url}/graphql",
        f"  log in as  {data.user_email} / {data.user_password}"
        f"   (site admin: {admin_email} / {admin_password or '<your password>'})",
        f"  site:      latitude {site.latitude_deg}, longitude {site.longitude_deg} "
        f"(sun at {site.sun_altitude_deg} deg)",
        "  targets:   "
        + ", ".join(f"{t.name} (altitude {t.altitude_deg:.0f} deg)" for t in targets),
        f"  simulated observatory {data.observatory_id}: {args.speedup:g}x speed-up, "
        f"clouds {', '.join(weather)}, state in {options.state_dir}",
        "",
    ]
    print("\n".join(lines), file=sys.stderr, flush=True)
    simulator = Simulator(options)
    await simulator.run()
    supervisor.request_stop()
    await serving
