"""The console in headless Chromium against the running stack: what a person sees on each page, and what the page
does with the APIs. Each page's screenshot goes to tests/artifacts/."""

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from common.settings import ApiKey
from ops.settings import Settings
from query_api.app import create_app
from schemas.topics import ORDERS_COMMANDS
from tests.e2e.browser import chromium, element, screenshot, text_in, wait_for
from tests.support import create_order_bytes, eventually, put_dead_letter, unique_id

WAIT = {"wait": 30}
# The events the commands below cause, in order; the stock adds BackorderRecorded events on its own.
COMMAND_EVENTS = ["OrderCreated", "ItemAdded", "ItemAdded", "OrderSubmitted", "PaymentRecorded", "OrderConfirmed"]


@dataclass(frozen=True)
class Scenario:
    token: str  # in the customer's email: what the search looks for
    order_id: str
    customer_id: str
    short_sku: str  # 1 unit received, 3 ordered: low on stock, 2 backordered


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    with chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def console(system: Settings) -> str:
    return f"http://127.0.0.1:{system.query_api_port}/"


def decided(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


@pytest.fixture(scope="module")
def scenario(browser: WebDriver, console: str, commands: httpx.Client) -> Scenario:
    """The search page is opened for an order that does not exist yet; then the order is placed through the command
    API while the page stays open."""
    token = unique_id("shopper").lower().replace("-", "")
    order_id, customer_id, short_sku = unique_id("ORD-CONSOLE"), unique_id("C-CONSOLE"), unique_id("SKU-CONSOLE")
    browser.get(f"{console}#/orders?q={token}")
    wait_for(browser, text_in(".message", "No orders match"))
    browser.execute_script("window.sameDocument = true")  # gone if the page reloads

    email = f"{token}@example.com"
    decided(commands.post("/customers", params=WAIT, json={"customer_id": customer_id, "name": "Grace Console", "email": email}))
    decided(commands.post(f"/inventory/{short_sku}/receipts", params=WAIT, json={"quantity": 1, "product_name": "Desk lamp"}))
    decided(commands.post("/orders", params=WAIT, json={
        "order_id": order_id, "customer_id": customer_id, "customer": {"name": "Grace Console", "email": email},
        "items": [{"product_id": short_sku, "product_name": "Desk lamp", "quantity": 3, "unit_price": "24.50"},
                  {"product_id": unique_id("P"), "product_name": "Mechanical keyboard", "quantity": 1, "unit_price": "89.90"}],
        "shipping_address": {"line1": "12 Analytical Way", "city": "London", "postal_code": "N1 9GU", "country": "GB"}}))
    decided(commands.post(f"/orders/{order_id}/submit", params=WAIT))
    decided(commands.post(f"/orders/{order_id}/payments", params=WAIT,
                          json={"amount": "163.40", "method": "card", "reference": "PAY-CONSOLE"}))
    decided(commands.post(f"/orders/{order_id}/confirm", params=WAIT))
    return Scenario(token, order_id, customer_id, short_sku)


@pytest.fixture(scope="module")
def settled(scenario: Scenario, queries: httpx.Client) -> dict[str, Any]:
    """The order once confirmed, its backorder recorded and every event of it indexed."""
    def final() -> dict[str, Any] | None:
        order = queries.get(f"/orders/{scenario.order_id}").json()
        if order.get("status") != "CONFIRMED" or order.get("backordered_quantity") != 2:
            return None
        timeline = queries.get(f"/orders/{scenario.order_id}/timeline").json()
        return order if timeline.get("total") == order["version"] else None

    return eventually(final, timeout_s=60)


def test_search_shows_an_order_placed_while_it_is_open(browser: WebDriver, scenario: Scenario) -> None:
    row = wait_for(browser, element(f'#search-results tr[data-order-id="{scenario.order_id}"]'))

    marks = [mark.text.lower() for mark in row.find_elements(By.CSS_SELECTOR, ".highlights mark")]
    assert scenario.token in marks
    assert browser.execute_script("return window.sameDocument") is True
    assert browser.find_elements(By.CSS_SELECTOR, "#facet-status button")
    screenshot(browser, "search")


def test_the_order_page_shows_its_timeline_in_version_order(
    browser: WebDriver, console: str, scenario: Scenario, settled: dict[str, Any]
) -> None:
    browser.get(f"{console}#/orders?q={scenario.token}")
    wait_for(browser, element(f'#search-results tr[data-order-id="{scenario.order_id}"] a')).click()
    events = wait_for(browser, lambda page: len(found := page.find_elements(By.CSS_SELECTOR, "#timeline li.event"))
                      == settled["version"] and found)

    versions = [int(event.get_attribute("data-version")) for event in events]
    types = [event.get_attribute("data-type") for event in events]
    assert versions == list(range(1, settled["version"] + 1))
    assert [kind for kind in types if kind in COMMAND_EVENTS] == COMMAND_EVENTS
    assert types.count("BackorderRecorded") >= 1
    assert "PAY-CONSOLE" in events[types.index("PaymentRecorded")].text
    items = browser.find_elements(By.CSS_SELECTOR, "table.items tbody tr")
    assert [item.find_element(By.CSS_SELECTOR, "td").text for item in items] == [line["product_id"] for line in settled["items"]]
    screenshot(browser, "order")


def test_the_customer_page_shows_the_summary_and_the_orders(
    browser: WebDriver, console: str, scenario: Scenario, settled: dict[str, Any], queries: httpx.Client
) -> None:
    eventually(lambda: queries.get(f"/customers/{scenario.customer_id}").json().get("placed_orders") == 1)
    browser.get(f"{console}#/orders/{scenario.order_id}")
    wait_for(browser, text_in(".card a", "Grace Console")).click()

    wait_for(browser, element(f'#customer-orders tr[data-order-id="{scenario.order_id}"]'))
    summary = browser.find_element(By.CSS_SELECTOR, ".cards").text
    assert "Grace Console" in summary and f"{scenario.token}@example.com" in summary and "163.40" in summary
    screenshot(browser, "customer")


def chart_series(browser: WebDriver, chart_id: str) -> list[dict[str, Any]]:
    """Each dataset of a chart as Chart.js laid it out: its values and the pixel place of each point drawn."""
    return browser.execute_script("""
        const chart = Chart.getChart(arguments[0]);
        return chart.data.datasets.map((dataset, index) => ({
            values: dataset.data,
            points: chart.getDatasetMeta(index).data.map((point) => [point.x, point.y]),
        }));""", chart_id)


def test_the_orders_chart_has_a_point_per_day_with_the_stats_numbers_and_refreshes(
    browser: WebDriver, console: str, settled: dict[str, Any], queries: httpx.Client
) -> None:
    today = datetime.now(UTC).date()
    window = {"from": f"{today - timedelta(days=6)}T00:00:00Z", "to": f"{today}T23:59:59Z", "interval": "day"}
    browser.get(f"{console}#/stats?from={window['from']}&to={window['to']}&interval=day")
    wait_for(browser, element("#stats-totals .card"))

    def drawn_as_answered() -> list[dict[str, Any]] | None:
        over_time = queries.get("/stats/orders", params=window).json()["over_time"]
        series = chart_series(browser, "chart-over-time")
        expected = [[entry["orders"] for entry in over_time], [float(entry["revenue"]) for entry in over_time]]
        return series if [each["values"] for each in series] == expected else None

    orders, revenue = wait_for(browser, lambda _: drawn_as_answered())
    for series in (orders, revenue):
        assert len(series["points"]) == 7
        xs = [x for x, _ in series["points"]]
        assert xs == sorted(set(xs))  # seven distinct places, left to right
    assert orders["values"][-1] >= 1  # today holds the order placed above
    screenshot(browser, "stats")
    updated = browser.find_element(By.ID, "live").text
    wait_for(browser, lambda page: page.find_element(By.ID, "live").text not in (updated, "live · not updated"))


def test_stock_flags_a_sku_low_and_backordered(
    browser: WebDriver, console: str, scenario: Scenario, settled: dict[str, Any], queries: httpx.Client
) -> None:
    eventually(lambda: queries.get(f"/inventory/{scenario.short_sku}").json().get("backordered") == 2)
    browser.get(f"{console}#/stock?q={scenario.short_sku}")

    row = wait_for(browser, element(f'#stock-table tr[data-sku="{scenario.short_sku}"]'))
    flags = [badge.text.lower() for badge in row.find_elements(By.CSS_SELECTOR, ".flags .badge")]
    assert flags == ["low stock", "backordered"]
    screenshot(browser, "stock")


def test_a_dead_letter_is_refused_as_it_was_and_resent_corrected(
    browser: WebDriver, console: str, system: Settings, queries: httpx.Client
) -> None:
    order_id = unique_id("ORD-CONSOLE-DL")
    handle = put_dead_letter(system, order_id)
    browser.get(f"{console}#/deadletters?topic={ORDERS_COMMANDS}")
    letter = wait_for(browser, element(f'article.deadletter[data-handle="{handle}"]'))
    assert "Invalid JSON" in letter.find_element(By.CSS_SELECTOR, ".reason").text

    letter.find_element(By.CSS_SELECTOR, "button.resend").click()
    wait_for(browser, text_in(f'article[data-handle="{handle}"] .message-error', "not a valid record"))

    corrected = create_order_bytes(order_id, customer_id="C-CONSOLE-DL").decode()
    value = letter.find_element(By.CSS_SELECTOR, "textarea.value")
    value.clear()
    value.send_keys(corrected)
    letter.find_element(By.CSS_SELECTOR, "button.resend").click()
    wait_for(browser, text_in(f'article[data-handle="{handle}"] .message-ok', f"Resent to {ORDERS_COMMANDS} partition"))
    order = eventually(lambda: (answer := queries.get(f"/orders/{order_id}")).status_code == 200 and answer.json(),
                       timeout_s=60)
    assert order["customer_id"] == "C-CONSOLE-DL"
    screenshot(browser, "deadletters")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def guarded_console(system: Settings) -> Iterator[str]:
    """A query API of the test's own with API keys, whose console is told of a command API where none listens."""
    settings = system.model_copy(update={
        "api_keys": {"reader": ApiKey(key="reader-secret", scopes=frozenset({"read"})),
                     "writer": ApiKey(key="writer-secret", scopes=frozenset({"write"}))},
        "console_command_api_url": f"http://127.0.0.1:{free_port()}"})
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test's query API did not start"
    yield f"http://127.0.0.1:{server.config.port}/"
    server.should_exit = True
    thread.join(10)


def use_key(browser: WebDriver, key: str) -> None:
    field = browser.find_element(By.ID, "api-key")
    field.clear()
    field.send_keys(key)
    browser.find_element(By.CSS_SELECTOR, "form.key button").click()


def test_keys_scopes_and_an_unreachable_service_are_said_plainly(browser: WebDriver, guarded_console: str) -> None:
    browser.get(f"{guarded_console}#/orders")
    wait_for(browser, text_in(".message-error", "The query API needs an API key: enter one above."))

    use_key(browser, "writer-secret")
    wait_for(browser, text_in(".message-error", "Not allowed: API key 'writer' does not have the 'read' scope."))

    use_key(browser, "reader-secret")
    wait_for(browser, element("#search-total"))

    browser.get(f"{guarded_console}#/deadletters")
    unreachable = wait_for(browser, text_in(".message-error", "cannot be reached"))
    assert unreachable.text.startswith("The command API at http://127.0.0.1:")
    wait_for(browser, text_in(".health-down", "command API: cannot be reached"))
    screenshot(browser, "unreachable")
