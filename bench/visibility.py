"""When orders become visible in search at a given version (a search on the alias, so refreshes count)."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from elasticsearch import AsyncElasticsearch

from schemas.mappings import ORDERS

IDS_PER_SEARCH = 1000


@dataclass
class Visibility:
    es: AsyncElasticsearch
    alias: str = ORDERS.alias
    # order id -> [(version to see, since when)]
    pending: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    latencies_s: list[float] = field(default_factory=list)
    last_seen_at: float = 0.0

    def expect(self, order_id: str, version: int, since: float) -> None:
        self.pending.setdefault(order_id, []).append((version, since))

    @property
    def waiting(self) -> int:
        return sum(len(entries) for entries in self.pending.values())

    async def poll(self) -> int:
        """Search the pending orders once; returns how many expectations were met."""
        ids = list(self.pending)
        met = 0
        for start in range(0, len(ids), IDS_PER_SEARCH):
            chunk = ids[start:start + IDS_PER_SEARCH]
            # The document's external version is the order's: asked for as ``_version``, no source is loaded.
            answer = await self.es.search(index=self.alias, query={"ids": {"values": chunk}}, source=False,
                                          version=True, size=len(chunk), track_total_hits=False)
            now = time.monotonic()
            for hit in answer["hits"]["hits"]:
                met += self._seen(hit["_id"], int(hit["_version"]), now)
        return met

    def _seen(self, order_id: str, version: int, now: float) -> int:
        entries = self.pending.get(order_id, [])
        reached = [since for wanted, since in entries if wanted <= version]
        if not reached:
            return 0
        self.latencies_s.extend(now - since for since in reached)
        self.last_seen_at = now
        left = [(wanted, since) for wanted, since in entries if wanted > version]
        if left:
            self.pending[order_id] = left
        else:
            del self.pending[order_id]
        return len(reached)

    async def until_all_seen(self, timeout_s: float, interval_s: float, on_met: Callable[[int], None]) -> bool:
        """Poll until nothing is pending or ``timeout_s`` passed; returns whether everything was seen."""
        deadline = time.monotonic() + timeout_s
        while self.pending and time.monotonic() < deadline:
            on_met(await self.poll())
            if self.pending:
                await asyncio.sleep(interval_s)
        return not self.pending
