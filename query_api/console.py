"""The operations console: static pages at ``/`` that call this API and the command API like any other client."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from query_api.settings import QueryApiSettings

CONSOLE_DIR = Path(__file__).parent / "console"


class ConsoleConfig(BaseModel):
    """What the console's pages need to know before their first call; nothing secret."""

    command_api_url: str | None = Field(description="The command API's address; null: this page's host name with "
                                                    "command_api_port")
    command_api_port: int
    keys_required: bool = Field(description="Whether the APIs want an API key (Authorization: Bearer <key>)")
    refresh_s: float = Field(description="How often the search and stats views refresh on their own")


def console_config(settings: QueryApiSettings) -> ConsoleConfig:
    return ConsoleConfig(command_api_url=settings.console_command_api_url, command_api_port=settings.command_api_port,
                         keys_required=bool(settings.api_keys), refresh_s=settings.console_refresh_s)


def install_console(app: FastAPI, settings: QueryApiSettings) -> None:
    config = console_config(settings)

    @app.get("/", include_in_schema=False)
    async def console_page() -> FileResponse:
        return FileResponse(CONSOLE_DIR / "index.html")

    @app.get("/console/config", tags=["console"], response_model=ConsoleConfig)
    async def get_console_config() -> ConsoleConfig:
        """Where the console finds the command API, whether it must ask for a key, how often it refreshes."""
        return config

    # After the routes above: the mount answers every other path under /console.
    app.mount("/console", StaticFiles(directory=CONSOLE_DIR), name="console")
