"""`python -m streams`: run the Faust worker."""

import sys

from common.collector import tune_for_throughput
from streams.app import build_app
from streams.settings import WorkerSettings


def main() -> None:
    settings = WorkerSettings()
    app = build_app(settings)
    tune_for_throughput()
    sys.argv = [sys.argv[0], "worker", "--loglevel", settings.log_level, "--web-port", str(settings.worker_web_port)]
    app.main()


if __name__ == "__main__":
    main()
