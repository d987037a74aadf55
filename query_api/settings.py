"""The query API's settings."""

from pydantic import Field

from common.settings import ApiSettings


class QueryApiSettings(ApiSettings):
    console_command_api_url: str | None = Field(
        None, description="The command API's address as the console's browser reaches it (default: the console's host "
                          "name with ORDERFLOW_COMMAND_API_PORT)")
    console_refresh_s: float = Field(5.0, gt=0, le=3600, description="How often the console's search and stats views "
                                                                       "refresh on their own")
    low_stock_threshold: int = Field(5, ge=0, description="A SKU is low on stock when its available quantity is at most this")
    low_stock_thresholds: dict[str, int] = Field(
        default_factory=dict, description='Per-SKU low-stock thresholds overriding the default, e.g. {"SKU-100": 20}',
    )
