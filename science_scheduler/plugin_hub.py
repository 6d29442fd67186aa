"""Building the bridge from the settings (used by the ASGI app's lifespan)."""

from __future__ import annotations

from domain.events import EventBus
from plugin_bridge.adapter.hub import BridgeHub
from plugin_bridge.core.session import SessionConfig
from science_scheduler.settings import Settings

SWEEP_FRACTION = 0.25  # sweep lost links four times per heartbeat timeout (at most every 30 s)


def build_hub(settings: Settings, bus: EventBus) -> BridgeHub:
    config = SessionConfig(
        min_plugin_version=settings.plugin_min_version,
        heartbeat_interval_s=settings.plugin_heartbeat_interval_seconds,
        heartbeat_timeout_s=settings.plugin_heartbeat_timeout_seconds,
        offline_grace_s=settings.plugin_offline_grace_seconds,
    )
    sweep = min(30.0, max(0.2, settings.plugin_heartbeat_timeout_seconds * SWEEP_FRACTION))
    return BridgeHub(
        bus, config, max_upload_bytes=settings.max_upload_bytes, sweep_interval_s=sweep
    )
