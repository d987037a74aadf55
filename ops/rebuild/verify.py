"""Checking a rebuilt index against the views the replay folded: counts, and a checksum of (id, version) pairs."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan

from ops.rebuild.targets import Pair, RebuildTarget

SAMPLE = 10


def checksum(pairs: Iterable[Pair]) -> tuple[int, str]:
    """Order-independent: the sum of each pair's hash, so the index can be read in any order."""
    count, total = 0, 0
    for key, version in pairs:
        count += 1
        total = (total + int.from_bytes(hashlib.sha256(f"{key}\0{version}".encode()).digest()[:8], "big")) % 2**64
    return count, f"{total:016x}"


@dataclass(frozen=True)
class Verification:
    expected_documents: int
    indexed_documents: int
    expected_checksum: str
    indexed_checksum: str
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    newer: int = 0  # written by the live projector after the replay's last record: fine

    @property
    def ok(self) -> bool:
        return not self.missing and not self.stale

    def lines(self) -> list[str]:
        verdict = "OK" if self.ok else "FAILED"
        exact = "equal" if self.expected_checksum == self.indexed_checksum else "different"
        lines = [
            f"verification {verdict}: {self.indexed_documents:,} documents indexed, {self.expected_documents:,} expected",
            f"checksum of (id, version): replay {self.expected_checksum}, index {self.indexed_checksum} ({exact})",
        ]
        if self.newer:
            lines.append(f"{self.newer:,} documents are newer than the replay (live writes since): not an error")
        if self.missing:
            lines.append(f"missing: {len(self.missing):,} e.g. {', '.join(self.missing[:SAMPLE])}")
        if self.stale:
            lines.append(f"stale: {len(self.stale):,} e.g. {', '.join(self.stale[:SAMPLE])}")
        return lines


def indexed_pairs(es: Elasticsearch, target: RebuildTarget, index: str) -> dict[str, int]:
    hits = scan(es, index=index, query={"query": {"match_all": {}}}, version=True, size=5000,
                _source=list(target.source_fields) or False)
    return dict(target.found(hit) for hit in hits)


def verify(expected: dict[str, int], indexed: dict[str, int]) -> Verification:
    missing = [key for key in expected if key not in indexed]
    stale = [key for key, version in expected.items() if key in indexed and indexed[key] < version]
    newer = sum(1 for key, version in expected.items() if indexed.get(key, 0) > version)
    return Verification(
        expected_documents=len(expected), indexed_documents=len(indexed),
        expected_checksum=checksum(expected.items())[1], indexed_checksum=checksum(indexed.items())[1],
        missing=missing, stale=stale, newer=newer,
    )
