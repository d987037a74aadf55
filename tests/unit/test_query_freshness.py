"""min_version: read again until the projection caught up, for a bounded time."""

from collections.abc import Awaitable, Callable

from query_api.freshness import read_at_least


def fetching(*versions: int | None) -> tuple[Callable[[], Awaitable[int | None]], list[int | None]]:
    """A fetch that finds ``versions`` one call after another (the last one from then on), and its calls."""
    calls: list[int | None] = []

    async def fetch() -> int | None:
        found = versions[min(len(calls), len(versions) - 1)]
        calls.append(found)
        return found

    return fetch, calls


def itself(version: int) -> int:
    return version


async def test_without_min_version_it_reads_once() -> None:
    fetch, calls = fetching(3, 4)
    read = await read_at_least(fetch, itself, None)
    assert (read.found, read.stale, calls) == (3, False, [3])


async def test_it_reads_again_until_the_version_is_reached() -> None:
    fetch, calls = fetching(None, 2, 3, 5, 6)
    read = await read_at_least(fetch, itself, 5, wait_s=2.0, poll_s=0.001)
    assert (read.found, read.stale) == (5, False)
    assert calls == [None, 2, 3, 5]


async def test_a_version_past_the_one_asked_for_is_fresh() -> None:
    fetch, _ = fetching(9)
    assert (await read_at_least(fetch, itself, 5, wait_s=0.0)).stale is False


async def test_when_time_runs_out_it_answers_what_there_is_as_stale() -> None:
    fetch, calls = fetching(2)
    read = await read_at_least(fetch, itself, 5, wait_s=0.05, poll_s=0.01)
    assert (read.found, read.stale) == (2, True)
    assert 2 <= len(calls) <= 7


async def test_nothing_found_in_time_is_not_found_rather_than_stale() -> None:
    fetch, _ = fetching(None)
    read = await read_at_least(fetch, itself, 1, wait_s=0.02, poll_s=0.01)
    assert (read.found, read.stale) == (None, False)
