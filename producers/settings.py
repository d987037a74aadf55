"""The command API's settings."""

from pydantic import Field

from common.settings import ApiSettings


class CommandApiSettings(ApiSettings):
    console_origins: tuple[str, ...] = Field(
        (), description="Origins whose pages may call the command API from a browser (CORS); default: the console's, "
                        "http://127.0.0.1:<query API port> and http://localhost:<query API port>")
    max_wait_s: float = Field(30.0, description="Longest ?wait= a command may ask for")
    publish_timeout_s: float = Field(
        5.0, gt=0, le=300,
        description="How long the command API waits for Kafka to store a command before it answers 503 (librdkafka's "
                    "delivery timeout)",
    )
    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest request body of a single command (413 above)")
    max_batch_bytes: int = Field(512 * 1_048_576, ge=1024, description="Largest NDJSON body of POST /commands/batch (413 above)")
    max_discarded_body_bytes: int = Field(
        64 * 1_048_576, ge=0,
        description="How much of a too-large body is read and dropped so that the client, still sending, receives the "
                    "413 (a larger one closes the connection)",
    )

    def browser_origins(self) -> tuple[str, ...]:
        """Where the console is served from: the origins the command API answers cross-origin requests for."""
        port = self.query_api_port
        return self.console_origins or (f"http://127.0.0.1:{port}", f"http://localhost:{port}")
