"""`python -m producers`: run the command API."""

from common.serve import serve
from producers.settings import CommandApiSettings

if __name__ == "__main__":
    settings = CommandApiSettings()
    serve("producers.app:create_app", settings.command_api_host, settings.command_api_port, settings)
