"""Random ids drawn from a pool of random bytes: version 4 UUIDs, never handed out twice, also not by a fork."""

import os
import uuid

from common.ids import IDS_PER_READ, random_uuid


def test_ids_are_version_4_uuids_and_distinct_across_several_pool_reads() -> None:
    ids = [random_uuid() for _ in range(IDS_PER_READ * 3 + 5)]
    assert all(id_.version == 4 and id_.variant == uuid.RFC_4122 for id_ in ids)
    assert len(set(ids)) == len(ids)


def test_a_forked_child_does_not_hand_out_the_ids_its_parent_holds() -> None:
    random_uuid()  # the pool now holds ids the parent has not handed out yet
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(reading)
        os.write(writing, b"".join(random_uuid().bytes for _ in range(4)))
        os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        drawn = pipe.read()
    os.waitpid(child, 0)
    from_child = {uuid.UUID(bytes=drawn[at:at + 16]) for at in range(0, len(drawn), 16)}
    from_parent = {random_uuid() for _ in range(4)}
    assert len(from_child) == 4 and not from_child & from_parent
