"""Command line: ``python -m console [--host H] [--port P]`` serves the console;
``python -m console create-user NAME --role editor|translator|viewer`` creates an account
(password prompted, or read from the first line of stdin when it is not a terminal);
``disable-user NAME`` and ``users`` manage accounts.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

from console.auth import ROLES, Accounts, AuthError
from console.config import ConsoleConfig
from console.db import Database


def _accounts(config: ConsoleConfig) -> Accounts:
    return Accounts(Database(config.db_path), config.session_idle_minutes, config.session_max_hours)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password (10 characters or more): ")
        if getpass.getpass("Same password again: ") != first:
            raise AuthError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def cmd_create_user(args: argparse.Namespace, config: ConsoleConfig) -> int:
    """Create an account or reset its password and role."""
    try:
        user = _accounts(config).create_user(args.name, args.role, _read_password())
    except AuthError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"user '{user.name}' ({user.role}) is ready; log in at the console.")
    return 0


def cmd_disable_user(args: argparse.Namespace, config: ConsoleConfig) -> int:
    """Disable an account and end its sessions."""
    if not _accounts(config).disable_user(args.name):
        print(f"error: there is no user '{args.name}'", file=sys.stderr)
        return 1
    print(f"user '{args.name}' is disabled.")
    return 0


def cmd_users(args: argparse.Namespace, config: ConsoleConfig) -> int:
    """List the accounts."""
    for name, role, disabled in _accounts(config).users():
        print("\t".join([name, role, *(["disabled"] if disabled else [])]))
    return 0


def serve(host: str, port: int, config: ConsoleConfig) -> int:
    """Run the web server in this process until interrupted."""
    from console.app import create_app
    from haven.logging import install

    install()
    app = create_app(config)
    app.run(host=host, port=port, single_process=True, access_log=False, motd=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run it; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m console", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=5080, help="port (default 5080)")
    commands = parser.add_subparsers(dest="command")
    create = commands.add_parser("create-user", help="create an account (or reset it)")
    create.add_argument("name")
    create.add_argument("--role", required=True, choices=ROLES)
    disable = commands.add_parser("disable-user", help="disable an account")
    disable.add_argument("name")
    commands.add_parser("users", help="list accounts")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = ConsoleConfig.load()
    if args.command == "create-user":
        return cmd_create_user(args, config)
    if args.command == "disable-user":
        return cmd_disable_user(args, config)
    if args.command == "users":
        return cmd_users(args, config)
    return serve(args.host, args.port, config)
