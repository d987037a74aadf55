"""What `up` / `orderflow init` creates on the real servers."""

from confluent_kafka.admin import ConfigResource

from ops.admin.indexes import ensure_index, es_client
from ops.admin.topics import admin_client, ensure_topics
from ops.settings import Settings
from schemas import topics
from schemas.mappings import KEYWORD, READ_MODELS, ReadModel
from tests.support import unique_id


def test_every_topic_exists_with_the_configured_partitions(servers: Settings) -> None:
    metadata = admin_client(servers).list_topics(timeout=10)
    for name in topics.ALL_TOPICS:
        assert len(metadata.topics[name].partitions) == servers.partitions, name


def test_event_and_derived_topics_are_kept_forever(servers: Settings) -> None:
    admin = admin_client(servers)
    kept = (*topics.EVENT_TOPICS, *topics.DERIVED_TOPICS)
    resources = [ConfigResource(ConfigResource.Type.TOPIC, name) for name in kept]
    for resource, future in admin.describe_configs(resources).items():
        config = future.result()
        assert config["retention.ms"].value == "-1", resource
        assert config["retention.bytes"].value == "-1", resource


def test_ensure_topics_twice_creates_nothing_the_second_time(servers: Settings) -> None:
    assert ensure_topics(servers) == []


def test_each_alias_points_at_one_versioned_index_with_the_mapping(servers: Settings) -> None:
    es = es_client(servers)
    for model in READ_MODELS.values():
        indexes = list(es.indices.get_alias(name=model.alias))
        assert len(indexes) == 1 and indexes[0].startswith(f"{model.alias}-v"), indexes
        mapping = es.indices.get_mapping(index=model.alias)[indexes[0]]["mappings"]
        assert set(model.properties) <= set(mapping["properties"]), model.alias


def test_a_newer_mapping_version_moves_the_alias_and_keeps_the_old_index(servers: Settings) -> None:
    es = es_client(servers)
    alias = unique_id("test-alias").lower()
    old, new = ReadModel(alias, 1, {"id": KEYWORD}), ReadModel(alias, 2, {"id": KEYWORD, "name": KEYWORD})
    try:
        assert ensure_index(es, old) == old.index_name()
        es.index(index=alias, id="1", document={"id": "1"}, refresh=True)
        assert ensure_index(es, new) == new.index_name()
        assert list(es.indices.get_alias(name=alias)) == [new.index_name()]
        assert es.count(index=old.index_name())["count"] == 1
        assert ensure_index(es, new) is None and ensure_index(es, old) is None
        assert list(es.indices.get_alias(name=alias)) == [new.index_name()]
    finally:
        es.indices.delete(index=[old.index_name(), new.index_name()], ignore_unavailable=True)


def test_a_field_added_at_the_same_version_is_added_to_the_current_index(servers: Settings) -> None:
    es = es_client(servers)
    alias = unique_id("test-alias").lower()
    before, after = ReadModel(alias, 1, {"id": KEYWORD}), ReadModel(alias, 1, {"id": KEYWORD, "name": KEYWORD})
    try:
        assert ensure_index(es, before) == before.index_name()
        es.index(index=alias, id="1", document={"id": "1"}, refresh=True)
        assert ensure_index(es, after) is None
        es.index(index=alias, id="2", document={"id": "2", "name": "two"}, refresh=True)
        mapping = es.indices.get_mapping(index=before.index_name())[before.index_name()]["mappings"]
        assert mapping["properties"]["name"] == KEYWORD and mapping["dynamic"] == "strict"
        assert es.count(index=alias)["count"] == 2
    finally:
        es.indices.delete(index=before.index_name(), ignore_unavailable=True)


def test_a_changed_refresh_interval_is_applied_to_the_serving_index(servers: Settings) -> None:
    es = es_client(servers)
    alias = unique_id("test-alias").lower()
    default, faster = ReadModel(alias, 1, {"id": KEYWORD}), ReadModel(alias, 1, {"id": KEYWORD}, refresh_interval="250ms")
    try:
        assert ensure_index(es, default) == default.index_name()
        index_settings = es.indices.get_settings(index=alias)[default.index_name()]["settings"]["index"]
        assert "refresh_interval" not in index_settings
        assert ensure_index(es, faster) is None
        index_settings = es.indices.get_settings(index=alias)[default.index_name()]["settings"]["index"]
        assert index_settings["refresh_interval"] == "250ms"
    finally:
        es.indices.delete(index=default.index_name(), ignore_unavailable=True)
