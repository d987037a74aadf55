"""`python -m streams`: run the Faust worker."""

import sys

from ops.settings import Settings
from streams.app import build_app


def main() -> None:
    settings = Settings()
    app = build_app(settings)
    sys.argv = [sys.argv[0], "worker", "--loglevel", settings.log_level, "--web-port", str(settings.worker_web_port)]
    app.main()


if __name__ == "__main__":
    main()
