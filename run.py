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
import logging
import sys

from aiohttp import web

from community import commands
from community.app import create_app
from community.config import ConfigError, load_settings
from community.logs import configure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run.py", description="Karmayogi community server")
    parser.add_argument("--demo", action="store_true", help="fill the store with a demo community before serving")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the server (the default)")
    demo = sub.add_parser("demo", help="fill the store with a demo community and exit")
    demo.add_argument("--people", type=int, default=300, help="how many officers and experts to create")
    sub.add_parser("reindex", help="rebuild every search index from storage")
    admin = sub.add_parser("make-admin", help="make an existing account a platform administrator")
    admin.add_argument("email")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    configure(settings.log_level)
    log = logging.getLogger("community")

    if args.command == "demo" or args.demo:
        asyncio.run(commands.demo(settings, people=getattr(args, "people", 300)))
        if args.command == "demo":
            return 0
    if args.command == "reindex":
        asyncio.run(commands.reindex(settings))
        return 0
    if args.command == "make-admin":
        return asyncio.run(commands.make_admin(settings, args.email))

    log.info("starting", extra={"settings": repr(settings)})
    asyncio.run(commands.announce_first_run(settings))
    web.run_app(create_app(settings), host=settings.host, port=settings.port, shutdown_timeout=10,
                access_log=logging.getLogger("community.access"), print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
