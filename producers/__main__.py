"""`python -m producers`: run the command API."""

from common.serve import serve
from common.settings import Settings

if __name__ == "__main__":
    settings = Settings()
    serve("producers.app:create_app", settings.command_api_host, settings.command_api_port, settings)
