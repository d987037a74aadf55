"""Run one of the HTTP APIs under uvicorn."""

import uvicorn

from common.settings import Settings


def serve(app_factory: str, host: str, port: int, settings: Settings) -> None:
    uvicorn.run(app_factory, factory=True, host=host, port=port, log_level=settings.log_level, access_log=False,
                loop="uvloop", http="httptools")
