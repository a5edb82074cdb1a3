"""Start the community server, or run one of its maintenance commands.

    python run.py              serve on embedded defaults (./data, 127.0.0.1:8080)
    python run.py --demo       fill the store with a demo community, then serve
    python run.py demo         fill the store with a demo community and exit
    python run.py reindex      rebuild every search index from storage
    python run.py make-admin EMAIL   give an existing, verified account the administrator role

Configuration comes from environment variables (see the README). A bad setting stops start-up
with one line naming it.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import socket
import sys

from aiohttp import web

from community import commands
from community.app import create_app
from community.config import ConfigError, Settings, load_settings
from community.logs import configure
from community.runtime import new_event_loop, tune_for_serving

BIND_PROBLEMS = {
    errno.EADDRINUSE: ("PORT", "{host}:{port} is already in use"),
    errno.EACCES: ("PORT", "no permission to listen on {host}:{port}"),
    errno.EADDRNOTAVAIL: ("HOST", "{host} is not an address of this machine"),
}
"""Why listening can fail, as the setting to change; any other ``OSError`` is not configuration."""


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="run.py", description="Karmayogi community server")
    parser.add_argument("--demo", action="store_true", help="fill the store with a demo community before serving")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the server (the default)")
    demo = sub.add_parser("demo", help="fill the store with a demo community and exit")
    demo.add_argument("--people", type=int, default=300, help="how many officers and experts to create")
    sub.add_parser("reindex", help="rebuild every search index from storage")
    admin = sub.add_parser("make-admin", help="make an existing account a platform administrator")
    admin.add_argument("email")
    return parser.parse_args(argv)


def serve(settings: Settings) -> None:
    """Build the app before anything is announced, so a bad ``FORUM_*`` setting stops start-up
    first; then listen until SIGTERM or SIGINT, which finish in-flight requests."""
    log = logging.getLogger("community")
    app = create_app(settings)
    tune_for_serving(app)
    log.info("starting", extra={"settings": repr(settings)})
    asyncio.run(commands.announce_first_run(settings))
    try:
        web.run_app(app, host=settings.host, port=settings.port, shutdown_timeout=10,
                    access_log=logging.getLogger("community.access"), print=None, loop=new_event_loop())
    except socket.gaierror:
        raise ConfigError("HOST", f"cannot resolve {settings.host!r}") from None
    except OSError as error:
        if error.errno not in BIND_PROBLEMS:
            raise
        setting, problem = BIND_PROBLEMS[error.errno]
        raise ConfigError(setting, problem.format(host=settings.host, port=settings.port)) from None
    log.info("stopped")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure(settings.log_level)
    if args.command == "demo" or args.demo:
        asyncio.run(commands.demo(settings, people=getattr(args, "people", 300)))
        if args.command == "demo":
            return 0
    if args.command == "reindex":
        asyncio.run(commands.reindex(settings))
        return 0
    if args.command == "make-admin":
        return asyncio.run(commands.make_admin(settings, args.email))
    serve(settings)
    return 0


def main(argv: list[str] | None = None) -> int:
    """A bad setting, wherever it is found, ends in one line naming it and exit status 2."""
    args = parse(argv)
    try:
        return run(args)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
