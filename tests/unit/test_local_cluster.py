"""Local clusters: the settings that follow the broker and node counts, each member's configuration, and the
launcher's commands over every member."""

from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import yaml

from common.clients import elasticsearch_options
from ops import cli
from ops.admin.indexes import index_settings
from ops.admin.topics import replication_config
from ops.launcher import elasticsearch, kafka
from ops.launcher.nodes import elasticsearch_nodes, every_elasticsearch_process, every_kafka_process, kafka_nodes
from ops.settings import MOST_ELASTICSEARCH_NODES, MOST_KAFKA_BROKERS, Settings
from schemas.mappings import ORDERS


def settings(**changes: Any) -> Settings:
    return Settings(_env_file=None, **changes)


def properties(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line)


def test_one_broker_and_one_node_keep_the_single_node_defaults() -> None:
    single = settings()
    assert (single.replication_factor, single.index_replicas) == (1, 0)
    assert single.kafka_bootstrap == "127.0.0.1:9092" and single.elasticsearch_url == "http://127.0.0.1:9200"
    assert [node.name for node in kafka_nodes(single)] == ["kafka"]
    assert [node.name for node in elasticsearch_nodes(single)] == ["elasticsearch"]


def test_a_cluster_replicates_and_lists_every_member() -> None:
    cluster = settings(kafka_brokers=3, elasticsearch_nodes=2)
    assert cluster.replication_factor == 3 and cluster.index_replicas == 1
    assert cluster.kafka_bootstrap == "127.0.0.1:9092,127.0.0.1:9102,127.0.0.1:9112"
    assert cluster.elasticsearch_url == "http://127.0.0.1:9200,http://127.0.0.1:9201"
    assert elasticsearch_options(cluster)["hosts"] == ["http://127.0.0.1:9200", "http://127.0.0.1:9201"]
    assert settings(kafka_brokers=5).replication_factor == 3


def test_the_cluster_defaults_follow_the_profile_ports_and_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFLOW_PROFILE", "test")
    monkeypatch.setenv("ORDERFLOW_KAFKA_BROKERS", "3")
    test = settings()
    assert test.kafka_bootstrap == "127.0.0.1:19092,127.0.0.1:19102,127.0.0.1:19112"
    assert [node.sasl_port for node in kafka_nodes(test)] == [19094, 19104, 19114]
    assert test.as_env()["ORDERFLOW_REPLICATION_FACTOR"] == "3"


def test_what_is_given_explicitly_wins() -> None:
    given = settings(kafka_brokers=3, replication_factor=2, kafka_bootstrap="kafka:9092", elasticsearch_nodes=2,
                     index_replicas=0, elasticsearch_url="http://es:9200")
    assert (given.replication_factor, given.kafka_bootstrap) == (2, "kafka:9092")
    assert (given.index_replicas, given.elasticsearch_url) == (0, "http://es:9200")


def test_each_broker_is_a_voter_of_one_quorum_with_ports_of_its_own(tmp_path: Path) -> None:
    cluster = settings(kafka_brokers=3, data_dir=tmp_path)
    second = properties(kafka.server_properties(cluster, kafka_nodes(cluster)[1]))
    assert second["node.id"] == "2"
    assert second["controller.quorum.voters"] == "1@127.0.0.1:9093,2@127.0.0.1:9103,3@127.0.0.1:9113"
    assert second["listeners"] == "PLAINTEXT://127.0.0.1:9102,CONTROLLER://127.0.0.1:9103"
    assert second["log.dirs"] == str(tmp_path / "kafka-2" / "data")
    assert {key: second[key] for key in ("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                                         "transaction.state.log.min.isr", "default.replication.factor",
                                         "min.insync.replicas")} == {
        "offsets.topic.replication.factor": "3", "transaction.state.log.replication.factor": "3",
        "transaction.state.log.min.isr": "2", "default.replication.factor": "3", "min.insync.replicas": "2"}
    assert second["broker.session.timeout.ms"] == "4000" and second["log.cleaner.dedupe.buffer.size"] == "33554432"
    assert "kafka-2-server.log" in kafka.log4j_properties(cluster, kafka_nodes(cluster)[1])


def test_a_single_broker_has_no_cluster_wide_replication_lines() -> None:
    single = properties(kafka.server_properties(settings()))
    assert not {"min.insync.replicas", "default.replication.factor", "broker.session.timeout.ms"} & set(single)
    assert single["offsets.topic.replication.factor"] == "1" and single["controller.quorum.voters"] == "1@127.0.0.1:9093"


def test_every_broker_is_formatted_with_the_id_the_first_one_got(tmp_path: Path) -> None:
    cluster = settings(kafka_brokers=3, data_dir=tmp_path)
    meta = tmp_path / "kafka-2" / "data" / "meta.properties"
    meta.parent.mkdir(parents=True)
    meta.write_text("version=1\ncluster.id=AbCdEfGhIjKlMnOpQrStUw\nnode.id=2\n")
    assert kafka.cluster_id(cluster) == "AbCdEfGhIjKlMnOpQrStUw"
    assert kafka.cluster_id(settings(kafka_brokers=3, data_dir=tmp_path / "fresh")) != "AbCdEfGhIjKlMnOpQrStUw"


def test_the_elasticsearch_nodes_find_each_other_on_their_transport_ports(tmp_path: Path) -> None:
    cluster = settings(elasticsearch_nodes=2, data_dir=tmp_path)
    second = yaml.safe_load(elasticsearch.elasticsearch_yml(cluster, elasticsearch_nodes(cluster)[1]))
    assert second["node.name"] == "orderflow-2" and second["http.port"] == 9201 and second["transport.port"] == 9301
    assert second["discovery.seed_hosts"] == ["127.0.0.1:9300", "127.0.0.1:9301"]
    assert second["cluster.initial_master_nodes"] == ["orderflow-1", "orderflow-2"]
    assert "discovery.type" not in second and second["path.data"] == str(tmp_path / "elasticsearch-2" / "data")
    assert yaml.safe_load(elasticsearch.elasticsearch_yml(settings()))["discovery.type"] == "single-node"


def test_topics_and_indexes_are_replicated_as_the_cluster_allows() -> None:
    assert replication_config(1) == {} and replication_config(3) == {"min.insync.replicas": "2"}
    assert index_settings(ORDERS, 1) == {**ORDERS.settings, "refresh_interval": "500ms", "number_of_replicas": 1}
    assert ORDERS.settings["number_of_replicas"] == 0


def test_up_takes_the_counts_before_reading_the_settings() -> None:
    with patch.object(cli.stack, "up") as up, patch.object(cli, "_print_urls"):
        assert cli.main(["up", "--kafka-brokers", "3", "--es-nodes", "2", "--servers-only"]) == 0
    (given,), _ = up.call_args
    assert (given.kafka_brokers, given.elasticsearch_nodes, given.replication_factor, given.index_replicas) == (3, 2, 3, 1)


def test_down_and_status_know_every_member_a_larger_cluster_may_have_left() -> None:
    names = [managed.name for managed in every_kafka_process(settings())]
    assert names[0] == "kafka" and names[-1] == f"kafka-{MOST_KAFKA_BROKERS}"
    assert len(every_elasticsearch_process(settings())) == MOST_ELASTICSEARCH_NODES + 1
