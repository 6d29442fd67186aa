"""A separate process asking for work for some observatories at one agreed instant.

Usage: python -m tests.dispatch.claimer SETTINGS_JSON OBSERVATORY_ID...
Prints "ready" once connected, waits for a line on stdin (the start signal), then prints one
JSON line per observatory: {"observatory": id, "observation": id or null}.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from beanie import PydanticObjectId

from domain.dispatch.dispatcher import Assignment, next_work
from science_scheduler.services import close_services, open_services
from science_scheduler.settings import load_settings
from tests.dispatch.world import NOW_UTC


async def main(settings_json: str, observatory_ids: list[str]) -> None:
    raw = json.loads(settings_json)
    settings = load_settings(
        mongodb_url=raw["mongodb_url"],
        mongodb_database=raw["mongodb_database"],
        redis_url=raw["redis_url"],
        data_dir=Path(raw["data_dir"]),
    )
    services = await open_services(settings)
    try:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        decisions = await asyncio.gather(
            *(
                next_work(PydanticObjectId(oid), NOW_UTC, bus=services.events)
                for oid in observatory_ids
            )
        )
        for oid, decision in zip(observatory_ids, decisions, strict=True):
            claimed = str(decision.observation.id) if isinstance(decision, Assignment) else None
            print(json.dumps({"observatory": oid, "observation": claimed}), flush=True)
    finally:
        await close_services(services)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2:]))
