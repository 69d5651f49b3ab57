#!/usr/bin/env python3
"""The local twin's service manager: real processes on 127.0.0.1 standing in for AWS.

    local/twin.py start [service...]   start (with dependencies), wait until ready; idempotent
    local/twin.py stop [service...]    stop what this tool started, by pid (dependants too)
    local/twin.py status               one line per service; exit 1 if a started one is not ready
    local/twin.py wait [--timeout S]   wait until every started service is ready
    local/twin.py connectors           create the topic, deploy both connectors, wait until RUNNING
    local/twin.py env                  print `export` lines for the endpoints and demo credentials
    local/twin.py clean                stop everything and delete the state directory

Services: s3 (s3proxy), postgres, sftp (OpenSSH), kafka (KRaft), connect (Kafka Connect), moto (DynamoDB and
SNS of the live alerts).
State lives in TWIN_HOME (default .local/twin); ports come from TWIN_*_PORT (see docs/local-twin.md).
Standard library only, so it runs with any Python 3.11+.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from services import manager
from services.processes import TwinError
from services.settings import twin_paths


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="local/twin.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start services (all when none named) and wait until ready")
    start.add_argument("services", nargs="*")
    stop = commands.add_parser("stop", help="stop services this tool started (all when none named)")
    stop.add_argument("services", nargs="*")
    commands.add_parser("status", help="show each service's state, endpoint and log")
    wait = commands.add_parser("wait", help="wait until every started service is ready")
    wait.add_argument("--timeout", type=float, default=0, help="seconds per service (default: its own limit)")
    connectors = commands.add_parser("connectors", help="create the topic and deploy the connectors")
    connectors.add_argument(
        "--partitions", type=int, default=None, help="topic partitions (default TWIN_TOPIC_PARTITIONS or 3)"
    )
    connectors.add_argument("--timeout", type=float, default=120, help="seconds to wait for RUNNING tasks")
    commands.add_parser("env", help="print export lines for the endpoints and credentials")
    commands.add_parser("clean", help="stop everything and delete the state directory")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    paths = twin_paths()
    try:
        if args.command == "start":
            manager.start(paths, args.services)
        elif args.command == "stop":
            manager.stop(paths, args.services)
        elif args.command == "status":
            return 0 if manager.status(paths) else 1
        elif args.command == "wait":
            manager.wait(paths, args.timeout)
        elif args.command == "connectors":
            from services import connectors

            connectors.deploy(paths, args.partitions, args.timeout)
        elif args.command == "env":
            for key, value in manager.environment(paths, manager.effective_ports(paths)).items():
                print(f"export {key}={manager.shlex.quote(value)}")
        elif args.command == "clean":
            manager.clean(paths)
    except TwinError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "interrupted: services started so far keep running; stop them with local/twin.py stop",
            file=sys.stderr,
        )
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
