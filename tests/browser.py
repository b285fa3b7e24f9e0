"""Launching Debian's Chromium with Playwright for the page tests (no browser download, no network)."""

from __future__ import annotations

import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# The machine is offline: keep Chromium from trying to reach Google services on start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not installed (run `make system-deps` or apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[test]')"
    return None


@dataclass
class PageLog:
    """What a page did: requests outside file:/data:, console errors, uncaught errors, dialogs."""

    external_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.external_requests + self.console_errors + self.page_errors + self.dialogs


def _is_local(url: str) -> bool:
    return url.startswith(("file:", "data:", "about:"))


@contextmanager
def chromium_context(viewport: tuple[int, int] = (1400, 900)):
    """A Playwright browser context of a fresh Chromium profile; closed on exit."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": viewport[0], "height": viewport[1]},
                service_workers="block",
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def open_page(context, path: Path, log: PageLog | None = None, wait_ready: bool = True, timeout_ms: int = 20000):
    """Open a local HTML file, recording into `log`; waits for `window.kgReady` unless told not to."""
    log = log if log is not None else PageLog()
    page = context.new_page()

    def on_route(route):
        url = route.request.url
        if _is_local(url):
            route.continue_()
        else:
            log.external_requests.append(url)
            route.abort()

    page.route("**/*", on_route)
    page.on("request", lambda req: None if _is_local(req.url) or req.url in log.external_requests
            else log.external_requests.append(req.url))
    page.on("console", lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))

    def on_dialog(dialog):
        log.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(Path(path).resolve().as_uri())
    if wait_ready:
        wait_ready_flag(page, timeout_ms)
    return page, log


def wait_ready_flag(page, timeout_ms: int = 20000) -> None:
    """Poll `window.kgReady` from outside: the page's CSP forbids the eval that wait_for_function uses."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate("() => window.kgReady === true"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"page not interactive after {timeout_ms} ms")
        page.wait_for_timeout(25)
