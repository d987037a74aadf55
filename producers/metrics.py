"""The command API's own metrics: commands published and decided, and the producer's local queue."""

from collections import Counter as Tally
from collections.abc import Callable, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge

from producers.commands import Command
from schemas.outcomes import RawOutcome


class CommandMetrics:
    def __init__(self, registry: CollectorRegistry, queue_depth: Callable[[], int]) -> None:
        self.published = Counter(
            "orderflow_commands_published_total", "Commands confirmed by Kafka, by type", ["type"], registry=registry,
        )
        self.decided = Counter(
            "orderflow_commands_decided_total", "Decisions seen on commands.outcomes, by type, outcome and code",
            ["type", "outcome", "code"], registry=registry,
        )
        queue = Gauge("orderflow_producer_queue_depth", "Records waiting in the local producer queue", registry=registry)
        queue.set_function(queue_depth)

    def on_published(self, commands: Sequence[Command]) -> None:
        for command_type, count in Tally(command.type for command in commands).items():
            self.published.labels(command_type).inc(count)

    def on_outcome(self, outcome: RawOutcome) -> None:
        self.decided.labels(outcome.command_type, outcome.status.value, outcome.code or "").inc()
