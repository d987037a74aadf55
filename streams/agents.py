"""Faust agents: they loop, call the pure functions, and write. Registered by the app's composition root."""

import logging
from dataclasses import dataclass
from typing import Any

import faust
from faust.types import StreamT

from schemas import topics
from schemas.envelope import utc_now
from schemas.codec import UndecodableRecord, decode_keyed, encode
from streams.deadletters import dead_letter_of_message
from streams.deciding import AggregateSpec, Decider
from streams.es_sink import ElasticsearchSink
from streams.projecting import Projection, ProjectionSpec, Projector, latest_snapshots

log = logging.getLogger(__name__)


def raw_topic(app: faust.App, *names: str) -> faust.TopicT:
    return app.topic(*names, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")


def register_decider(app: faust.App, spec: AggregateSpec[Any], partitions: int) -> None:
    commands = raw_topic(app, spec.commands_topic)
    events = raw_topic(app, spec.events_topic)
    outcomes = raw_topic(app, topics.COMMAND_OUTCOMES)
    dead_letters = raw_topic(app, topics.DEADLETTER)
    table = _json_table(app, spec.table_name, partitions)
    decider = Decider(spec)

    async def decide_commands(stream: StreamT[bytes]) -> None:
        async for event in stream.events():
            message = event.message
            decided = decider.decide_record(message.key, message.value, table.get, utc_now())
            if decided.dead_letter_reason is not None:
                await dead_letters.send(
                    key=message.key, value=encode(dead_letter_of_message(message, decided.dead_letter_reason)))
                continue
            for value in decided.event_values:
                await events.send(key=decided.aggregate_id.encode(), value=value)
            if decided.stored is not None:
                table[decided.aggregate_id] = decided.stored
            await outcomes.send(key=decided.command_id.encode(), value=decided.outcome_value)

    app.agent(commands, name=f"{spec.name}-decider")(decide_commands)


def register_projector(app: faust.App, spec: ProjectionSpec[Any], sink: ElasticsearchSink,
                       partitions: int, batch_size: int, batch_wait_s: float) -> None:
    events = raw_topic(app, *spec.topics)
    dead_letters = raw_topic(app, topics.DEADLETTER)
    outputs: dict[str, faust.TopicT] = {}
    table = _json_table(app, spec.table_name, partitions)
    parts = _json_table(app, spec.parts_table_name, partitions) if spec.parts else None
    projector = Projector(spec)

    def fold(value: bytes) -> Folded:
        """Runs once per record with the record as Faust's current event, so table writes land in its partition."""
        message = faust.current_event().message
        try:
            event = decode_keyed(message.key, message.value, spec.event_types)
            key = spec.part_key(event)
            part = parts.get(key) if parts is not None and key is not None else None
            projection = projector.project(event, table.get(event.aggregate_id), part, message.offset)
        except (UndecodableRecord, ValueError) as error:
            return Folded(message, Projection(), error=str(error))
        if projection.view is not None:
            table[event.aggregate_id] = projection.view
        if projection.part is not None and parts is not None:
            parts[projection.part.key] = projection.part.value
        return Folded(message, projection)

    async def send_on(batch: list[Folded]) -> None:
        for record in latest_snapshots([record for folded in batch for record in folded.projection.records]):
            if record.topic not in outputs:
                outputs[record.topic] = raw_topic(app, record.topic)
            await outputs[record.topic].send(key=record.key, value=record.value)

    async def project_events(stream: StreamT[bytes]) -> None:
        stream.add_processor(fold)
        async for batch in stream.take(batch_size, within=batch_wait_s):
            failures = await sink.write([action for folded in batch for action in folded.projection.actions])
            refused = {id(failure.action): failure.reason for failure in failures}
            for folded in batch:
                reasons = [refused[id(action)] for action in folded.projection.actions if id(action) in refused]
                error = folded.error or "; ".join(f"Elasticsearch refused the document: {r}" for r in reasons)
                if error:
                    log.error("dead-lettering %s/%s/%s: %s", folded.message.topic, folded.message.partition,
                              folded.message.offset, error)
                    await dead_letters.send(key=folded.message.key, value=encode(dead_letter_of_message(folded.message, error)))
            await send_on(batch)

    app.agent(events, name=f"{spec.name}-projector")(project_events)


@dataclass(frozen=True)
class Folded:
    """One event record after folding, with the record kept so any failure is dead-lettered with its origin."""

    message: Any
    projection: Projection
    error: str | None = None


def _json_table(app: faust.App, name: str, partitions: int) -> faust.Table:
    """Keys are JSON strings, values JSON kept as bytes: the table never parses them, their owner does."""
    schema = faust.Schema(key_type=str, value_type=bytes, key_serializer="json", value_serializer="raw")
    return app.Table(name, default=None, partitions=partitions, schema=schema, key_type=str, value_type=bytes)
