import pytest
from confluent_kafka import KafkaError, Message

from common.kafka import RecordPosition, position_of
from streams.handlers import consumed
from streams.records import Consumed


def test_a_record_has_its_topic_partition_and_offset() -> None:
    assert position_of(Message(topic="orders.events", partition=2, offset=17)) == RecordPosition("orders.events", 2, 17)


def test_an_error_event_has_no_position_and_is_refused() -> None:
    with pytest.raises(ValueError, match="_PARTITION_EOF"):
        position_of(Message(error=KafkaError(KafkaError._PARTITION_EOF)))


def test_a_consumed_record_keeps_a_null_value_as_it_was() -> None:
    message = Message(topic="inventory.events", partition=0, offset=3, key=b"SKU-1", value=None)
    assert consumed(message) == Consumed("inventory.events", 0, 3, b"SKU-1", None)
