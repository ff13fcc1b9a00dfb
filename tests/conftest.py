"""Fixtures shared by the whole suite.

The database is whatever DATABASE_URL names (SQLite by default; .ci/run runs the
suite a second time on PostgreSQL). Browser tests drive Debian's Chromium through
Playwright: ``playwright install`` cannot download a browser on this machine.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    """Browser tests use a live server, so their database is emptied after each one. Restore the
    data migrations loaded (gazetteer, practices, groups) for the tests that follow."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True), append=False)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's set-up, then the serialized rows made visible to every connection object.

    Django keeps the rows for ``serialized_rollback`` on the connection object that created the test
    database. Connections are context-local (asgiref), and once other database tests have run, a
    live-server test in the same process is handed a new connection object without them: its
    ``serialized_rollback`` then restores nothing, and the data migrations' rows (places,
    practices, groups) stay flushed. On the wrapper's class, every connection object sees them.
    """
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents is not None:
                type(connection)._test_serialized_contents = contents
    yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Facet counts are cached per process; a rolled-back test must not leave its counts to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium chromium-driver")
    # Playwright's sync API runs its own event loop; Django must allow ORM calls from the test thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
