"""A local cluster of three brokers and two Elasticsearch nodes loses a broker, then a node, to ``kill -9`` under
load, and gets them back.

Orders are sent through the command API the whole time and the query API is asked all along. The broker goes first
(every partition has two more copies, and two are enough for a write); a few seconds later the Elasticsearch node
that is not the elected master (every shard has a copy on the other node, which takes over as primary). The API
must accept every command, each query must answer 200, and once ``up`` has started both again: every accepted
command decided once, nothing doubled on the event log (read ``read_committed``), the views equal to the fold of
the log, every partition back to three in-sync copies and the Elasticsearch cluster green.

The master is spared because a two-node cluster's voting configuration holds one node only (it is kept odd): losing
that one leaves no master, and Elasticsearch refuses writes until it returns. Tolerating the loss of any node takes
three master-eligible nodes.
"""

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import pytest
from confluent_kafka.admin import AdminClient
from elasticsearch import Elasticsearch

from common.clients import elasticsearch_options, kafka_options
from ops.launcher import elasticsearch, kafka, stack
from ops.launcher.nodes import ElasticsearchNode, KafkaNode, elasticsearch_nodes, kafka_nodes
from ops.launcher.processes import group_alive, wait_until
from ops.settings import Settings
from schemas.topics import ALL_TOPICS
from tests.faults.checks import assert_recovered
from tests.faults.workload import Workload, run_under_fault
from tests.support import eventually

pytestmark = pytest.mark.slow

ORDERS = 60
PAUSE_S = 0.3
QUERY_EVERY_S = 0.25
BETWEEN_FAULTS_S = 6.0
RECOVERY_S = 300.0


def kill_9(pid: int | None, name: str) -> None:
    """``kill -9`` of the process and its children (an Elasticsearch node runs under a launcher process)."""
    assert pid is not None, f"{name} does not run"
    os.killpg(pid, signal.SIGKILL)
    assert wait_until(lambda: not group_alive(pid), 30), f"{name} outlived kill -9"


def not_the_master(settings: Settings) -> ElasticsearchNode:
    with Elasticsearch(**elasticsearch_options(settings), request_timeout=10) as es:
        master = es.cat.master(format="json").body[0]["node"]
    return next(node for node in elasticsearch_nodes(settings) if f"orderflow-{node.number}" != master)


@dataclass
class Asked:
    answered: int = 0
    failures: list[str] = field(default_factory=list)


@contextmanager
def asking(queries: httpx.Client, customer_id: str) -> Iterator[Asked]:
    """Ask the query API for the customer's orders until the block ends; every answer should be a 200."""
    asked = Asked()
    done = threading.Event()

    def ask() -> None:
        while not done.is_set():
            try:
                answer = queries.get("/orders", params={"customer_id": customer_id, "size": 5})
                asked.answered += answer.status_code == 200
                if answer.status_code != 200:
                    asked.failures.append(f"{answer.status_code} {answer.text[:200]}")
            except httpx.HTTPError as error:
                asked.failures.append(repr(error))
            done.wait(QUERY_EVERY_S)

    asker = threading.Thread(target=ask, daemon=True)
    asker.start()
    try:
        yield asked
    finally:
        done.set()
        asker.join(30)


def fully_replicated(settings: Settings) -> bool:
    metadata = AdminClient({**kafka_options(settings), "log_level": 0}).list_topics(timeout=10)
    ours = [metadata.topics[name] for name in ALL_TOPICS]
    return all(len(partition.isrs) == settings.replication_factor
               for topic in ours for partition in topic.partitions.values())


def green(settings: Settings) -> bool:
    with Elasticsearch(**elasticsearch_options(settings), request_timeout=10) as es:
        return es.cluster.health().body["status"] == "green"


def test_a_broker_and_a_node_lost_under_load(cluster: Settings, commands: httpx.Client,
                                             queries: httpx.Client) -> None:
    broker: KafkaNode = kafka_nodes(cluster)[0]
    node = not_the_master(cluster)
    workload = Workload.new("CLUSTER", ORDERS)
    workload.stock(commands)

    def faults() -> None:
        time.sleep(1.0)
        kill_9(kafka.process(cluster, broker).pid(), broker.name)
        time.sleep(BETWEEN_FAULTS_S)
        kill_9(elasticsearch.process(cluster, node).pid(), node.name)

    with asking(queries, workload.customer_id) as asked:
        run_under_fault(cluster, workload, faults, PAUSE_S)
        time.sleep(2 * BETWEEN_FAULTS_S)  # go on asking with the node still gone
    print(f"\n{len(workload.accepted)} commands accepted, {len(workload.refused)} answers to send again "
          f"(e.g. {workload.refused[:2]}); {asked.answered} queries answered 200, {len(asked.failures)} not")
    assert not asked.failures, f"{len(asked.failures)} queries failed, e.g. {asked.failures[:3]}"
    assert not kafka.node_healthy(cluster, broker) and not elasticsearch.node_healthy(cluster, node)

    stack.up(cluster)
    assert_recovered(cluster, commands, queries, workload)
    eventually(lambda: fully_replicated(cluster), timeout_s=RECOVERY_S, interval_s=2.0)
    eventually(lambda: green(cluster), timeout_s=RECOVERY_S, interval_s=2.0)
