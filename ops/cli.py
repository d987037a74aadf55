"""The `orderflow` command."""

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ops.cli_up import add_up_options, settings_for
from ops.cli_up import workers as _workers  # noqa: F401 - `up --workers`' bounds, as the tests reach them
from ops.launcher import stack
from ops.launcher.errors import LauncherError
from ops.settings import Settings


def _up(settings: Settings, args: argparse.Namespace) -> None:
    if args.workers is not None:
        settings = settings.model_copy(update={"workers": args.workers})
    stack.up(settings, apps=not args.servers_only, servers=not args.external)
    _print_urls(settings)


def _down(settings: Settings, args: argparse.Namespace) -> None:
    stopped = stack.down(settings)
    print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))


def _status(settings: Settings, args: argparse.Namespace) -> None:
    entries = stack.status(settings)
    width = max(14, *(len(entry.name) for entry in entries))
    for entry in entries:
        state = "healthy" if entry.healthy else ("running" if entry.pid else "stopped")
        print(f"{entry.name:<{width}} {state:<8} pid={entry.pid or '-':<8} log={entry.log_file}")


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


def _deadletter_list(settings: Settings, args: argparse.Namespace) -> None:
    from common.clients import kafka_options
    from common.deadletters import list_dead_letters
    from ops import deadletters

    with deadletters.cli_errors():
        listing = list_dead_letters(kafka_options(settings), source_topic=args.topic, limit=args.limit)
    for entry in listing.entries:
        print(deadletters.json_line(entry) if args.json else deadletters.summary_line(entry))
    if listing.unreadable:
        print(f"({listing.unreadable} record(s) on the topic are not dead letters and were left out)", file=sys.stderr)


def _deadletter_resend(settings: Settings, args: argparse.Namespace) -> None:
    from common.clients import kafka_options
    from common.deadletters import parse_handle, resend
    from ops import deadletters

    with deadletters.cli_errors():
        handle = parse_handle(args.handle)
        corrected = deadletters.read_value_file(args.value_file) if args.value_file else None
        landed = resend(kafka_options(settings), handle, corrected, force=args.force)
    print(f"resent dead letter {handle} to {landed}")


def _schemas_export(settings: Settings, args: argparse.Namespace) -> None:
    from ops.schema_export import export_schemas

    exported = export_schemas(args.dir)
    for path in exported.written:
        print(f"wrote {args.dir / path}")
    print(f"{len(exported.written)} schema(s) written, {exported.unchanged} unchanged")


def _kibana_import(settings: Settings, args: argparse.Namespace) -> None:
    from ops import kibana

    result = kibana.import_saved_objects(args.url, args.file, overwrite=args.overwrite)
    print(kibana.summary(result, args.url))
    kibana.raise_for_errors(result)


def _utc_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r} (e.g. 2026-11-01 or 2026-11-01T08:00:00Z)") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _rebuild(settings: Settings, args: argparse.Namespace) -> None:
    from common.collector import tune_for_throughput
    from ops.rebuild.run import rebuild_now, report_lines
    from ops.rebuild.targets import TARGETS

    tune_for_throughput()  # a replay folds millions of events: a third of its CPU went to the collector
    names = list(TARGETS) if args.read_model == "all" else [args.read_model]
    failed = []
    for name in names:
        report = rebuild_now(settings, TARGETS[name], drop_old=args.drop_old, since=args.since)
        print("\n".join(report_lines(report)))
        if not report.ok:
            failed.append(name)
    if failed:
        raise LauncherError(f"rebuild verification failed for {', '.join(failed)}")


def _reset_views(settings: Settings, args: argparse.Namespace) -> None:
    from ops.admin.reset import reset_views
    from ops.launcher.services import worker_services
    from streams.specs import PROJECTIONS

    chosen = [spec for spec in PROJECTIONS if args.view in ("all", spec.name)]
    for service in worker_services(settings):
        if service.process(settings).stop():
            print(f"stopped {service.name}")
    reset_views(settings, chosen)
    stack.up(settings, servers=not args.external)


def _bench(settings: Settings, args: argparse.Namespace) -> None:
    from bench.options import options_from
    from bench.readme import PROJECT_README, update_readme
    from bench.run import SCENARIOS, run_scenarios
    from common.collector import tune_for_throughput

    options = options_from(vars(args), quick=args.quick)
    tune_for_throughput()  # the rebuild scenario folds in this process, and load generators allocate per request
    if args.scenario == "report":
        update_readme(PROJECT_README, options.results_dir, SCENARIOS)
        print(f"{PROJECT_README}: Performance section updated from {options.results_dir}")
        return
    run_scenarios(settings, SCENARIOS if args.scenario == "all" else [args.scenario], options)


def _print_urls(settings: Settings) -> None:
    command = f"http://127.0.0.1:{settings.command_api_port}"
    query = f"http://127.0.0.1:{settings.query_api_port}"
    print(f"""
console       {query}/
command API   {command}/docs
query API     {query}/docs
try           curl '{query}/orders?q=keyboard'
Elasticsearch {settings.elasticsearch_url}    Kafka {settings.kafka_bootstrap}
logs          orderflow logs [process]      stop: make down""")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orderflow", description="Run and operate the orderflow pipeline.")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start Kafka, Elasticsearch, the worker and both APIs")
    add_up_options(up)
    up.set_defaults(handler=_up)
    commands.add_parser("down", help="stop everything that `up` started").set_defaults(handler=_down)
    commands.add_parser("status", help="show what runs and whether it is healthy").set_defaults(handler=_status)
    logs = commands.add_parser("logs", help="show the last lines of the logs")
    logs.add_argument("process", nargs="?", help="kafka, elasticsearch, worker, command-api or query-api")
    logs.add_argument("-n", "--lines", type=int, default=40)
    logs.set_defaults(handler=_logs)
    commands.add_parser("init", help="create missing topics and indexes").set_defaults(handler=_init)
    rebuild = commands.add_parser("rebuild", help="replay the event log into a new index version and swap the alias")
    rebuild.add_argument("read_model", choices=["orders", "order-events", "customers", "inventory", "all"])
    rebuild.add_argument("--drop-old", action="store_true", help="delete the replaced indexes after a good verification")
    rebuild.add_argument("--from", dest="since", type=_utc_time, metavar="TIME",
                         help="index only what events from TIME on write (ISO 8601, UTC unless it has an offset); "
                              "all events are still folded")
    rebuild.set_defaults(handler=_rebuild)
    reset = commands.add_parser("reset-views", help="drop the worker's view tables and fold the event log again")
    reset.add_argument("view", choices=["order", "customer", "inventory", "all"])
    reset.add_argument("--external", action="store_true",
                       help="the system runs against existing clusters (`up --external`): start no local server")
    reset.set_defaults(handler=_reset_views)
    for name, handler, text in (("sample", _sample, "load sample data"), ("run", _run, "up, sample data, URLs")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--orders", type=int, default=50, help="how many sample orders")
        sub.set_defaults(handler=handler)
    _add_deadletter_parser(commands)
    _add_schemas_parser(commands)
    _add_kibana_parser(commands)
    _add_bench_parser(commands)
    return parser


def _add_deadletter_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    deadletter = commands.add_parser("deadletter", help="list dead letters, send them back as they were or corrected")
    actions = deadletter.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="dead letters from the start of the topic, oldest first")
    listing.add_argument("--topic", help="only those from this source topic, e.g. orders.commands")
    listing.add_argument("--limit", type=int, default=50, help="only the last N (0: all)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line with the full record")
    listing.set_defaults(handler=_deadletter_list)
    resend = actions.add_parser("resend", help="produce a dead letter's record to its source topic with its key")
    resend.add_argument("handle", help="<partition>:<offset> on the deadletter topic, as `list` shows it")
    resend.add_argument("--value-file", metavar="PATH", help="the corrected record (- for standard input)")
    resend.add_argument("--force", action="store_true", help="send it even if it is not a valid record for the topic")
    resend.set_defaults(handler=_deadletter_resend)


def _add_schemas_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    from schemas.json_schemas import COMMITTED

    schemas = commands.add_parser("schemas", help="JSON Schemas of the messages and read documents")
    actions = schemas.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="write one JSON Schema per message type and read document and version")
    export.add_argument("--dir", type=Path, default=COMMITTED, help=f"where (default {COMMITTED})")
    export.set_defaults(handler=_schemas_export)


def _add_kibana_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    from ops.kibana import DEFAULT_FILE, DEFAULT_URL

    kibana = commands.add_parser("kibana", help="Kibana dashboards")
    actions = kibana.add_subparsers(dest="action", required=True)
    load = actions.add_parser("import", help="import the saved objects (data views, visualizations, dashboard)")
    load.add_argument("--url", default=DEFAULT_URL, help=f"Kibana's URL (default {DEFAULT_URL})")
    load.add_argument("--file", type=Path, default=DEFAULT_FILE, help=f"NDJSON export (default {DEFAULT_FILE})")
    load.add_argument("--overwrite", action="store_true", help="replace objects that already exist")
    load.set_defaults(handler=_kibana_import)


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())


def _add_bench_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    bench = commands.add_parser("bench", help="measure the running system; results in bench/results/")
    bench.add_argument("scenario", choices=["ingest", "pipeline", "freshness", "query", "rebuild", "memory", "all",
                                            "report"],
                       help="a scenario, all of them, or `report`: update README's Performance table from the results")
    bench.add_argument("--quick", action="store_true", help="small sizes: each scenario in a minute or two")
    bench.add_argument("--ingest-seconds", type=float, help="ingest: how long wrk sends single commands per concurrency level")
    bench.add_argument("--concurrency", type=_sizes, help="ingest: concurrency levels, e.g. 1,16,64")
    bench.add_argument("--batch-commands", type=int, help="ingest: commands sent through POST /commands/batch")
    bench.add_argument("--batch-lines-per-request", type=int, help="ingest: NDJSON lines per batch request")
    bench.add_argument("--pipeline-commands", type=int, help="pipeline: commands in, all searchable out")
    bench.add_argument("--pipeline-warmup", type=int,
                       help="pipeline: commands sent and searchable before the measured ones (default 2000)")
    bench.add_argument("--memory-orders", type=int, help="memory: orders through the pipeline (default 200000)")
    bench.add_argument("--rate", type=float, help="freshness: commands per second (default 500)")
    bench.add_argument("--duration-s", type=float, help="freshness: how long the steady load runs")
    bench.add_argument("--orders", type=_sizes, help="query: data set sizes, e.g. 100000,1000000")
    bench.add_argument("--query-requests", type=int, help="query: requests per query kind and size")
    bench.add_argument("--load-timeout-s", type=float, help="query: longest wait for one size to be indexed")
    bench.add_argument("--rebuild-model", choices=["orders", "order-events", "customers"], help="rebuild: read model")
    bench.add_argument("--settle-timeout-s", type=float, help="longest wait for the worker's backlog before each scenario")
    bench.add_argument("--results-dir", type=Path, help="where results go (default bench/results)")
    bench.set_defaults(handler=_bench)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler: Callable[[Settings, argparse.Namespace], None] = args.handler
    try:
        handler(settings_for(args), args)
    except LauncherError as error:
        print(f"orderflow: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
