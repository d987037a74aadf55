"""The in-memory adapters, and those that need no server, against the ports' contracts (``tests/contracts``);
Elasticsearch's sink runs the document sink contract in ``tests/integration/test_es_sink.py``."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.rebuild.run import FoldState
from producers.memory import MemoryCommandStore
from producers.store import CommandStore
from streams.memory import MemoryDocuments, MemoryStores
from streams.ports import KeyValueTable
from tests.contracts.command_store import *  # noqa: F403 - the contract's tests, run here
from tests.contracts.command_store import CommandStoreUnderTest
from tests.contracts.document_sink import *  # noqa: F403
from tests.contracts.document_sink import FIELD, IndexUnderTest
from tests.contracts.key_value_table import *  # noqa: F403

INDEX = "contract-index"


@pytest.fixture
def index_under_test() -> IndexUnderTest:
    documents = MemoryDocuments({INDEX: {FIELD: {"type": "keyword"}}})
    return IndexUnderTest(documents, INDEX, lambda doc_id: documents.document(INDEX, doc_id))


@pytest.fixture(params=["memory", "rocksdb"])
def table(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[KeyValueTable]:
    if request.param == "memory":
        yield MemoryStores()
        return
    state = FoldState(tmp_path / "fold")
    yield state
    state.close()


@pytest.fixture(params=["memory", "rocksdb"])
def command_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CommandStoreUnderTest]:
    if request.param == "memory":
        yield MemoryCommandStore()
        return
    store = CommandStore(tmp_path / "store")
    yield store
    store.close()
