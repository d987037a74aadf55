"""Run one of the HTTP APIs under uvicorn."""

import uvicorn

from common.collector import tune_for_throughput
from common.settings import ApiSettings

OPEN_ACCESS_HINT = "set ORDERFLOW_API_KEYS, bind to 127.0.0.1, or set ORDERFLOW_AUTH=off to run it open on purpose"


def serve(app_factory: str, host: str, port: int, settings: ApiSettings) -> None:
    """Refuses (exits) to serve an API beyond loopback with no API keys unless ``auth`` is off."""
    if settings.open_to_all(host):
        raise SystemExit(f"refusing to listen on {host} with no API keys: {OPEN_ACCESS_HINT}")
    tune_for_throughput()
    uvicorn.run(app_factory, factory=True, host=host, port=port, log_level=settings.log_level, access_log=False,
                loop="uvloop", http="httptools")
