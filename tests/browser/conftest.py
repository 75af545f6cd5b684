"""Headless Chromium driven by Playwright, for the live order page and its trace waterfall.

The browser is the system's Chromium (Debian's `chromium` package; `make test` installs it), never
one Playwright downloads: nothing can be downloaded here, and CI should not fetch browsers either.
Every test leaves a screenshot of its page in build/screenshots/, passed or failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, Response, ViewportSize, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from pizza_ops.repository import Repository
from privacy_scan.session import LEDGER, is_order_post

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Wide enough for the waterfall's label column and time axis side by side.
VIEWPORT: ViewportSize = {"width": 1300, "height": 640}


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        # Failing, not skipping: a skipped browser suite on CI would look like a passing one.
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package (apt-get install chromium)")
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    directory = Repository.find().root / "build" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def page(browser: Browser, screenshots_dir: Path, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page; a script error on it fails the test, and its last state is kept as a screenshot."""
    context = browser.new_context(viewport=VIEWPORT)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    responses: list[Response] = []
    # A function of our own: Playwright marks its handlers, which a builtin's bound method refuses.
    opened.on("response", lambda response: responses.append(response))
    yield opened
    _record_orders(responses)
    opened.screenshot(path=screenshots_dir / f"{request.node.name}.png", full_page=True)
    context.close()
    assert not errors, f"script errors on the page: {errors}"


def _record_orders(responses: list[Response]) -> None:
    """The orders the page placed, for the personal data scan (tests/privacy_scan): read once the test
    is over, as a response's body cannot be awaited inside Playwright's event handler."""
    for response in responses:
        request = response.request
        if is_order_post(request.method, urlsplit(request.url).path):
            LEDGER.order_sent(request.post_data or "")
            try:
                if response.status == 202:
                    LEDGER.order_answered(response.body())
            except PlaywrightError:  # the body is gone (the page navigated away): say so in the summary
                LEDGER.unreadable_bodies += 1
