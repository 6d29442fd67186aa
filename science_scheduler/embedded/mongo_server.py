"""The embedded document engine: mongoeco serving the MongoDB wire protocol over SQLite.

Run as its own process (`python -m science_scheduler.embedded.mongo_server`) so the
supervisor can restart it and the API talks to it through a normal mongodb:// URL.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from mongoeco.engines import SQLiteEngine
from mongoeco.wire import AsyncMongoEcoProxyServer

from science_scheduler.embedded import mongoeco_fixes
from science_scheduler.logs import configure_logging

log = logging.getLogger(__name__)


def mongodb_url(host: str, port: int) -> str:
    return f"mongodb://{host}:{port}/?directConnection=true"


async def serve_documents(database_file: Path, host: str, port: int) -> None:
    """Serve until SIGTERM/SIGINT, then close the SQLite file cleanly."""
    database_file.parent.mkdir(parents=True, exist_ok=True)
    mongoeco_fixes.apply()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    server = AsyncMongoEcoProxyServer(engine=SQLiteEngine(str(database_file)), host=host, port=port)
    address = await server.start()
    log.info("document engine listening", extra={"address": f"{address.host}:{address.port}"})
    try:
        await stop.wait()
    finally:
        await server.close()
        log.info("document engine stopped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-file", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-format", default="auto", choices=["auto", "json", "console"])
    args = parser.parse_args()
    configure_logging("mongo", log_format=args.log_format)
    asyncio.run(serve_documents(args.database_file, args.host, args.port))


if __name__ == "__main__":
    main()
