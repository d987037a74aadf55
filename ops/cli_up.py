"""The options of `orderflow up`: where the servers come from, and how many workers, brokers and nodes."""

import argparse
from collections.abc import Callable

from ops.launcher.services import MOST_WORKERS
from ops.settings import MOST_ELASTICSEARCH_NODES, MOST_KAFKA_BROKERS, Settings

# Options that are settings: given before the settings are read, so that what follows from them (replication
# factor, bootstrap, index replicas) follows them too.
SETTING_FLAGS = ("kafka_brokers", "elasticsearch_nodes")


def count(most: int) -> Callable[[str], int]:
    def bounded(text: str) -> int:
        number = int(text)
        if not 1 <= number <= most:
            raise argparse.ArgumentTypeError(f"between 1 and {most}")
        return number

    return bounded


workers = count(MOST_WORKERS)


def settings_for(args: argparse.Namespace) -> Settings:
    """The settings, with the values of the options that are settings."""
    given: dict[str, int] = {name: value for name in SETTING_FLAGS if (value := getattr(args, name, None)) is not None}
    return Settings(**given)  # type: ignore[arg-type]  # keyword settings, checked by pydantic


def add_up_options(up: argparse.ArgumentParser) -> None:
    where = up.add_mutually_exclusive_group()
    where.add_argument("--servers-only", action="store_true", help="start only the local Kafka and Elasticsearch")
    where.add_argument("--external", action="store_true",
                       help="start only the worker and both APIs, against the configured Kafka and Elasticsearch "
                            "(ORDERFLOW_KAFKA_BOOTSTRAP, ORDERFLOW_ELASTICSEARCH_URL and their credentials); "
                            "creates missing topics and indexes there")
    up.add_argument("--workers", type=workers, metavar="N",
                    help="worker processes in one consumer group, sharing the partitions (default ORDERFLOW_WORKERS)")
    up.add_argument("--kafka-brokers", dest="kafka_brokers", type=count(MOST_KAFKA_BROKERS), metavar="N",
                    help="local Kafka brokers in one KRaft quorum, topics replicated to min(N, 3) of them "
                         "(default ORDERFLOW_KAFKA_BROKERS; ports in README: Local clusters)")
    up.add_argument("--es-nodes", dest="elasticsearch_nodes", type=count(MOST_ELASTICSEARCH_NODES), metavar="N",
                    help="local Elasticsearch nodes in one cluster, indexes with a replica when N > 1 "
                         "(default ORDERFLOW_ELASTICSEARCH_NODES)")
