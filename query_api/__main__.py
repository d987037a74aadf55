"""`python -m query_api`: run the query API."""

from common.serve import serve
from query_api.settings import QueryApiSettings

if __name__ == "__main__":
    settings = QueryApiSettings()
    serve("query_api.app:create_app", settings.query_api_host, settings.query_api_port, settings)
