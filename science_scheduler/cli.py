"""The `science-scheduler` command."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from science_scheduler.logs import configure_logging
from science_scheduler.settings import Settings, SettingsError, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    for name in ("data_dir", "host", "port"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    return load_settings(**overrides)


def _cmd_serve(args: argparse.Namespace) -> None:
    from science_scheduler.serve import serve

    settings = _settings(args)
    configure_logging("serve", settings.log_level, settings.log_format)
    serve(settings)


def _cmd_api(args: argparse.Namespace) -> None:
    import uvicorn

    from science_scheduler.app import create_app

    settings = _settings(args)
    configure_logging("api", settings.log_level, settings.log_format)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=True,
        ws="websockets-sansio",
        timeout_graceful_shutdown=5,
    )


def _cmd_worker(args: argparse.Namespace) -> None:
    from science_scheduler.services import require_engine_urls
    from workers.settings import build_worker

    settings = _settings(args)
    configure_logging("worker", settings.log_level, settings.log_format)
    require_engine_urls(settings)
    build_worker(settings).run()


def _cmd_config(args: argparse.Namespace) -> None:
    settings = _settings(args)
    print(json.dumps(settings.masked(), indent=2, default=str))


def _cmd_export_schema(args: argparse.Namespace) -> None:
    from schema.export import schema_sdl

    text = schema_sdl()
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text)


def _cmd_users_create_admin(args: argparse.Namespace) -> None:
    from science_scheduler.user_commands import create_admin

    create_admin(_settings(args), args.email, args.password_stdin)


def _cmd_simulate_observatory(args: argparse.Namespace) -> None:
    from science_scheduler.simulator.command import run

    configure_logging("simulator", "INFO", "console")
    run(args)


def _cmd_demo(args: argparse.Namespace) -> None:
    from science_scheduler.demo import run_demo

    configure_logging("demo", "INFO", "console")
    run_demo(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="science-scheduler", description="Science scheduling server for observatories."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve", help="run everything on this machine (embedded engines unless URLs are set)"
    )
    serve.add_argument("--data-dir", type=Path, help="where data lives (default ./data)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.set_defaults(handler=_cmd_serve)

    api = commands.add_parser("api", help="run only the API process (production; needs URLs)")
    api.add_argument("--host")
    api.add_argument("--port", type=int)
    api.set_defaults(handler=_cmd_api)

    worker = commands.add_parser("worker", help="run a standalone pipeline worker (production)")
    worker.set_defaults(handler=_cmd_worker)

    config = commands.add_parser("config", help="print the effective settings, secrets masked")
    config.set_defaults(handler=_cmd_config)
    export = commands.add_parser("export-schema", help="write the GraphQL SDL (schema.graphql)")
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")
    export.set_defaults(handler=_cmd_export_schema)

    users = commands.add_parser("users", help="manage accounts (needs MONGODB_URL)")
    user_commands = users.add_subparsers(dest="users_command", required=True)
    create_admin = user_commands.add_parser(
        "create-admin",
        help="create a site administrator (asks for email and password; under `serve`, "
        "SCHEDULER_ADMIN_EMAIL and SCHEDULER_ADMIN_PASSWORD do this too)",
    )
    create_admin.add_argument("--email", help="the administrator's email (asked when omitted)")
    create_admin.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (for scripts)",
    )
    create_admin.set_defaults(handler=_cmd_users_create_admin)

    from science_scheduler.demo import add_demo_arguments
    from science_scheduler.simulator.command import add_arguments as add_simulator_arguments

    simulate = commands.add_parser(
        "simulate-observatory", help="run a simulated observatory (the reference plugin)"
    )
    add_simulator_arguments(simulate)
    simulate.set_defaults(handler=_cmd_simulate_observatory)
    demo = commands.add_parser(
        "demo", help="serve, create demo data and run a simulated observatory at night now"
    )
    add_demo_arguments(demo)
    demo.set_defaults(handler=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        args.handler(args)
    except KeyboardInterrupt:
        pass
    except SettingsError as error:
        sys.exit(f"error: {error}")
    except Exception as error:
        from science_scheduler.serve import ServeError
        from science_scheduler.services import EngineNotConfigured

        if isinstance(error, ServeError | EngineNotConfigured):
            sys.exit(f"error: {error}")
        raise


if __name__ == "__main__":
    main()
