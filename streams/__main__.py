"""`python -m streams`: run the Faust worker."""

import gc
import sys

from streams.app import build_app
from streams.settings import WorkerSettings


def main() -> None:
    settings = WorkerSettings()
    app = build_app(settings)
    # The worker keeps tens of thousands of parsed values alive (its stores' caches) while it allocates a great
    # many short-lived objects per record: with the default thresholds the collector walks those long-lived
    # values over and over (about a quarter of the worker's CPU). Young objects are still collected often enough.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    sys.argv = [sys.argv[0], "worker", "--loglevel", settings.log_level, "--web-port", str(settings.worker_web_port)]
    app.main()


if __name__ == "__main__":
    main()
