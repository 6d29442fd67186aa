"""The simulator's settings (the `simulate-observatory` command line)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from science_scheduler.simulator.camera import Optics

DEFAULT_FILTERS = ("L", "R", "G", "B", "Ha", "OIII", "SII")


@dataclass(frozen=True)
class UnsafePeriod:
    """Weather unsafe from `start_s` after the simulator starts, for `duration_s`."""

    start_s: float
    duration_s: float

    @classmethod
    def parse(cls, text: str) -> UnsafePeriod:
        """`START:DURATION` in seconds, e.g. `120:60`."""
        try:
            start, duration = (float(part) for part in text.split(":"))
        except ValueError:
            raise ValueError(f"{text!r}: give START:DURATION in seconds, e.g. 120:60") from None
        if start < 0 or duration <= 0:
            raise ValueError(f"{text!r}: START must be >= 0 and DURATION > 0")
        return cls(start, duration)


@dataclass(frozen=True)
class SimulatorOptions:
    server: str  # http(s)://host:port of the server
    api_key: str
    state_dir: Path
    plugin_version: str = "1.0.0"
    speedup: float = 1.0
    drop_rate: float = 0.0  # probability, per frame sent, of dropping the connection
    duplicate_rate: float = 0.0  # probability, per acked message, of sending it twice
    ack_delay_s: float = 0.0
    unsafe_periods: tuple[UnsafePeriod, ...] = ()
    filters: tuple[str, ...] = DEFAULT_FILTERS
    optics: Optics = field(default_factory=Optics)
    seed: int | None = None

    @property
    def ws_url(self) -> str:
        base = self.server.rstrip("/")
        scheme, _, rest = base.partition("://")
        return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/plugin/ws"

    @property
    def http_url(self) -> str:
        return self.server.rstrip("/")
