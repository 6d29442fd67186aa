"""The `simulate-observatory` command line."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from science_scheduler.simulator.options import SimulatorOptions


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("give a probability from 0 to 1")
    return value


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("give a number above 0")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", required=True, help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--api-key", required=True, help="the observatory's API key (sso_...)")
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path("simulator-state"),
        help="durable local state: assignment, unacked messages, frames, upload queue "
        "(default ./simulator-state; reuse it to resume after a restart)",
    )
    parser.add_argument("--plugin-version", default="1.0.0", help="version sent in hello")
    parser.add_argument(
        "--speedup", type=_positive, default=1.0, help="expose N times faster than real time"
    )
    parser.add_argument(
        "--drop-rate",
        type=_rate,
        default=0.0,
        help="fault: probability, per frame sent, of dropping the connection",
    )
    parser.add_argument(
        "--duplicate-rate",
        type=_rate,
        default=0.0,
        help="fault: probability of sending a message twice (same id)",
    )
    parser.add_argument(
        "--ack-delay", type=float, default=0.0, help="fault: ack server commands N s late"
    )
    parser.add_argument(
        "--weather-unsafe",
        action="append",
        default=[],
        metavar="START:DURATION",
        help="fault: unsafe weather from START s after start for DURATION s (repeatable)",
    )
    parser.add_argument("--filters", default="L,R,G,B,Ha,OIII,SII", help="filter wheel")
    parser.add_argument("--focal-length-mm", type=_positive, default=260.0)
    parser.add_argument("--pixel-size-um", type=_positive, default=3.76)
    parser.add_argument("--sensor", default="1200x800", help="sensor size WIDTHxHEIGHT in pixels")
    parser.add_argument("--seed", type=int, help="seed the fault randomness")


def options_from(args: argparse.Namespace) -> SimulatorOptions:
    from science_scheduler.simulator.camera import Optics
    from science_scheduler.simulator.options import SimulatorOptions, UnsafePeriod

    width, _, height = str(args.sensor).partition("x")
    return SimulatorOptions(
        server=args.server,
        api_key=args.api_key,
        state_dir=args.state_dir,
        plugin_version=args.plugin_version,
        speedup=args.speedup,
        drop_rate=args.drop_rate,
        duplicate_rate=args.duplicate_rate,
        ack_delay_s=args.ack_delay,
        unsafe_periods=tuple(UnsafePeriod.parse(text) for text in args.weather_unsafe),
        filters=tuple(name.strip() for name in args.filters.split(",") if name.strip()),
        optics=Optics(
            focal_length_mm=args.focal_length_mm,
            pixel_size_um=args.pixel_size_um,
            width_px=int(width),
            height_px=int(height),
        ),
        seed=args.seed,
    )


def run(args: argparse.Namespace) -> None:
    import asyncio

    from science_scheduler.simulator.driver import simulate

    asyncio.run(simulate(options_from(args)))
