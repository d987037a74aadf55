"""Headless Chromium driven by Selenium, for the console's tests, and screenshots of what it shows."""

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
WIDTH, HEIGHT, TALLEST = 1400, 1000, 2400
WAIT_S = 60.0

T = TypeVar("T")


@contextmanager
def chromium() -> Iterator[WebDriver]:
    """Debian's chromium and chromium-driver (`make tools` installs them); no driver is downloaded."""
    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if binary is None or driver is None:
        pytest.fail("the console's tests need Debian's chromium and chromium-driver: `make tools` installs them")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    # --no-sandbox: the tests run as root in CI, where Chromium's sandbox refuses to start.
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={WIDTH},{HEIGHT}", "--lang=en-GB"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield browser
    finally:
        browser.quit()


def wait_for(browser: WebDriver, condition: Callable[[WebDriver], T | None], timeout_s: float = WAIT_S) -> T:
    """What ``condition`` returns once it is truthy; on a timeout, the failure shows the page's messages."""
    try:
        return WebDriverWait(browser, timeout_s, poll_frequency=0.2).until(condition)
    except Exception:
        shown = [element.text for element in browser.find_elements(By.CSS_SELECTOR, ".message, #live, #health")]
        raise AssertionError(f"the console did not get there in {timeout_s:g}s; it shows {shown}") from None


def element(css: str) -> Callable[[WebDriver], WebElement | None]:
    def find(browser: WebDriver) -> WebElement | None:
        found = browser.find_elements(By.CSS_SELECTOR, css)
        return found[0] if found else None

    return find


def text_in(css: str, wanted: str) -> Callable[[WebDriver], WebElement | None]:
    def find(browser: WebDriver) -> WebElement | None:
        return next((each for each in browser.find_elements(By.CSS_SELECTOR, css) if wanted in each.text), None)

    return find


def screenshot(browser: WebDriver, name: str) -> Path:
    """The whole page (up to TALLEST pixels) as ``tests/artifacts/console-<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"console-{name}.png"
    height, chrome = browser.execute_script(
        "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]")
    browser.set_window_size(WIDTH, min(max(height, HEIGHT), TALLEST) + chrome)
    try:
        # Two frames: the page, charts included, lays itself out at the new size before the picture is taken.
        browser.execute_async_script("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(done));")
        browser.save_screenshot(str(path))
    finally:
        browser.set_window_size(WIDTH, HEIGHT)
    return path
