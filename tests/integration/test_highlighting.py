"""The API's own highlights against Elasticsearch's highlighter on the same documents and searches: the same words
cut the same way, the same marks, the same items in the same order; values too long for one fragment come from
Elasticsearch."""

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch, Elasticsearch

from ops.settings import Settings
from query_api.highlighting import drawn_highlights, words
from query_api.routes.orders import hit_highlights
from query_api.search import HIGHLIGHTED_FIELDS, fragments_body, highlights
from schemas.mappings import ORDERS

LONG_NOTE = ("Ring the bell twice. The courier should leave the parcel with the neighbour at number 12 "
             "if nobody answers, and never at the door.")


def order(number: int, name: str, notes: str, city: str, line1: str, *products: str) -> dict[str, Any]:
    email = name.lower().replace(" ", ".") + f".{number}@example.com"
    return {"order_id": f"H-{number}", "customer": {"name": name, "email": email}, "notes": notes,
            "shipping_address": {"line1": line1, "city": city}, "items": [{"product_name": p} for p in products]}


ORDERS_ = [
    order(1, "Karen Perlman", "call before delivery", "Rome", "24 Market Square", "Portable Desk Lamp", "Silent Charger"),
    order(2, "Donald O'Neil", "Call first. Leave at the door.", "Berlin", "236 Park Avenue", "Premium Router",
          "Solar Mouse", "Premium Mouse"),
    order(3, "Jürgen Straße", "office delivery, 3.5kg box", "München", "12:30 Königsallee", "Rugged Scanner", "Scanner"),
    order(4, "Ana Lamport", LONG_NOTE, "Lisbon", "149 Park Avenue", "Modular Charger", "Solar Chair", "Desk Lamp"),
    order(5, "東京 花子", "ひらがな カタカナ", "Kyoto", "1-2-3 Gion", "Silent Microphone", "Silent Power Bank"),
    order(6, "Bob d'Arc", "leave at the door", "Paris", "1,000 rue du Bac", "Wireless Tablet", "Mechanical Cable"),
    order(7, "Eve Door", "first.Leave the door open; e.g the back door", "Oslo", "box!Go 5", "Door Stop"),
    order(8, "Yui Tanaka", "東京。大阪 door", "Osaka", "U.S. door 7", "Wireless Door Bell"),
    order(9, "Max Mustermann", "door\nsecond line", "Bonn", "door (rear)!", "Doorbell"),
]
SEARCHES = ["Lamp", "lamp desk", "Chargr", "Scnner", "sacnner", "Park Avenue", "door", "Call", "call first",
            "Perlman", "karen.perlman", "O'Neil", "Straße", "strase", "München", "12", "3.5kg", "京", "カタカナ",
            "Silent", "Tablet", "Premum Muose", "Berln", "neighbour", "parcel", "1,000", "d'arc", "example.com",
            "Go", "大阪", "second", "rear", "back"]


@pytest.fixture(scope="module")
def index(servers: Settings) -> Iterator[tuple[Elasticsearch, str]]:
    es = Elasticsearch(servers.elasticsearch_url)
    name = f"test-highlight-{uuid.uuid4().hex[:8]}"
    es.indices.create(index=name, **ORDERS.body())
    for document in ORDERS_:
        es.index(index=name, id=document["order_id"], document=document)
    es.indices.refresh(index=name)
    try:
        yield es, name
    finally:
        es.indices.delete(index=name)
        es.close()


def elasticsearch_highlights(es: Elasticsearch, index: str, text: str) -> dict[str, dict[str, list[str]]]:
    body = fragments_body(text, [document["order_id"] for document in ORDERS_])
    return {hit["_id"]: highlights(hit) for hit in es.search(index=index, **body)["hits"]["hits"]}


def test_words_are_the_standard_analyzers_tokens(index: tuple[Elasticsearch, str]) -> None:
    es, _ = index
    texts = [value for document in ORDERS_ for value in (document["customer"]["name"], document["customer"]["email"],
                                                        document["notes"], document["shipping_address"]["line1"])]
    for text in texts:
        tokens = es.indices.analyze(analyzer="standard", text=text)["tokens"]
        assert words(text) == [(token["start_offset"], token["end_offset"], token["token"]) for token in tokens], text


@pytest.mark.parametrize("text", SEARCHES)
def test_drawn_highlights_equal_elasticsearchs(index: tuple[Elasticsearch, str], text: str) -> None:
    es, name = index
    expected = elasticsearch_highlights(es, name, text)
    sources = {document["order_id"]: document for document in ORDERS_}
    drawn = {order_id: drawn_highlights(sources[order_id], text, HIGHLIGHTED_FIELDS) for order_id in expected}
    assert {order_id: marks for order_id, marks in drawn.items() if marks is not None} == {
        order_id: marks for order_id, marks in expected.items() if drawn[order_id] is not None}
    assert any(expected.values()), f"{text!r} should find and highlight something"


@pytest.mark.parametrize("text", ["neighbour", "door", "Park Avenue"])
def test_hits_with_long_matching_text_get_elasticsearchs_fragments(
        index: tuple[Elasticsearch, str], servers: Settings, text: str) -> None:
    es, name = index
    hits = [{"_id": document["order_id"], "_source": document} for document in ORDERS_]

    async def page_highlights() -> dict[str, dict[str, list[str]]]:
        async with AsyncElasticsearch(servers.elasticsearch_url) as client:
            return await hit_highlights(client, name, text, hits)

    expected = elasticsearch_highlights(es, name, text)
    assert {order_id: marks for order_id, marks in asyncio.run(page_highlights()).items() if marks} == expected
