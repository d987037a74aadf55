"""The `orderflow` command."""

import argparse
import sys
from collections.abc import Callable

from ops.launcher import stack
from ops.launcher.errors import LauncherError
from ops.settings import Settings


def _up(settings: Settings, args: argparse.Namespace) -> None:
    stack.up(settings, apps=not args.servers_only)
    _print_urls(settings)


def _down(settings: Settings, args: argparse.Namespace) -> None:
    stopped = stack.down(settings)
    print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))


def _status(settings: Settings, args: argparse.Namespace) -> None:
    for entry in stack.status(settings):
        state = "healthy" if entry.healthy else ("running" if entry.pid else "stopped")
        print(f"{entry.name:<14} {state:<8} pid={entry.pid or '-':<8} log={entry.log_file}")


def _logs(settings: Settings, args: argparse.Namespace) -> None:
    processes = {managed.name: managed for managed in stack.all_processes(settings)}
    names = [args.process] if args.process else list(processes)
    for name in names:
        if name not in processes:
            raise LauncherError(f"unknown process {name!r}: one of {', '.join(processes)}")
        log_file = processes[name].log_file
        print(f"==> {log_file} <==")
        if log_file.exists():
            print("\n".join(log_file.read_text(errors="replace").splitlines()[-args.lines:]))


def _init(settings: Settings, args: argparse.Namespace) -> None:
    from ops.admin import indexes, topics

    print("topics created: " + (", ".join(topics.ensure_topics(settings)) or "none (all exist)"))
    print("indexes created: " + (", ".join(indexes.ensure_indexes(settings)) or "none (all exist)"))


def _sample(settings: Settings, args: argparse.Namespace) -> None:
    from ops.sample_data import load_sample_data

    load_sample_data(settings, orders=args.orders)


def _run(settings: Settings, args: argparse.Namespace) -> None:
    from ops.sample_data import load_sample_data

    stack.up(settings)
    load_sample_data(settings, orders=args.orders)
    _print_urls(settings)


def _print_urls(settings: Settings) -> None:
    command = f"http://127.0.0.1:{settings.command_api_port}"
    query = f"http://127.0.0.1:{settings.query_api_port}"
    print(f"""
command API   {command}/docs
query API     {query}/docs
try           curl '{query}/orders?q=keyboard'
Elasticsearch {settings.elasticsearch_url}    Kafka {settings.kafka_bootstrap}
logs          orderflow logs [process]      stop: make down""")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orderflow", description="Run and operate the orderflow pipeline.")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start Kafka, Elasticsearch, the worker and both APIs")
    up.add_argument("--servers-only", action="store_true", help="start only Kafka and Elasticsearch")
    up.set_defaults(handler=_up)
    commands.add_parser("down", help="stop everything that `up` started").set_defaults(handler=_down)
    commands.add_parser("status", help="show what runs and whether it is healthy").set_defaults(handler=_status)
    logs = commands.add_parser("logs", help="show the last lines of the logs")
    logs.add_argument("process", nargs="?", help="kafka, elasticsearch, worker, command-api or query-api")
    logs.add_argument("-n", "--lines", type=int, default=40)
    logs.set_defaults(handler=_logs)
    commands.add_parser("init", help="create missing topics and indexes").set_defaults(handler=_init)
    for name, handler, text in (("sample", _sample, "load sample data"), ("run", _run, "up, sample data, URLs")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--orders", type=int, default=50, help="how many sample orders")
        sub.set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler: Callable[[Settings, argparse.Namespace], None] = args.handler
    try:
        handler(Settings(), args)
    except LauncherError as error:
        print(f"orderflow: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
