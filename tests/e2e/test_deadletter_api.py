"""The command API's dead-letter routes against the real broker: what the listing holds, and what a resend refuses."""

import httpx

from ops.settings import Settings
from schemas.topics import ORDERS_COMMANDS
from tests.support import BROKEN, put_dead_letter, unique_id


def test_the_listing_holds_a_new_dead_letter_with_its_reason_and_record(system: Settings, commands: httpx.Client) -> None:
    source_topic = unique_id("test.commands").lower()
    key = unique_id("ORD")
    handle = put_dead_letter(system, key, source_topic=source_topic)

    listed = commands.get("/deadletters", params={"topic": source_topic})

    assert listed.status_code == 200
    [letter] = listed.json()["data"]
    assert (letter["handle"], letter["key"], letter["source_topic"]) == (handle, key, source_topic)
    assert (letter["error"], letter["value"].encode(), letter["value_encoding"]) == ("record: Invalid JSON", BROKEN, "utf-8")


def test_a_resend_names_what_stops_it(system: Settings, commands: httpx.Client) -> None:
    handle = put_dead_letter(system, unique_id("ORD"))

    as_it_was = commands.post(f"/deadletters/{handle}/resend")
    nowhere = commands.post("/deadletters/0:999999999999/resend")

    assert as_it_was.status_code == 422
    [error] = as_it_was.json()["detail"]
    assert error["field"] == "value" and error["reason"].startswith(f"not a valid record for {ORDERS_COMMANDS}: ")
    assert nowhere.status_code == 404 and nowhere.json() == {"detail": "no dead letter at 0:999999999999"}
