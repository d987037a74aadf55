"""Every upcaster of the project: how records written at an older schema version are read today.

A step describes the past, so it never changes once released and never refers to names that may change later.
"""

from schemas.upcasting import JsonPayload, Upcasters

UPCASTERS = Upcasters()


@UPCASTERS.register("OrderCreated", from_version=1)
def order_created_names_its_channel(payload: JsonPayload) -> JsonPayload:
    """v1 did not say where an order was placed: every such order was sent to the command API by a client that
    could not name a channel, which v2 calls ``api``."""
    return {**payload, "channel": "api"}
