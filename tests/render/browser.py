"""A headless Chromium driven through the Chrome DevTools Protocol, for testing the HTML
reports as a reader's browser shows them.

Just enough of the protocol (https://chromedevtools.github.io/devtools-protocol/): one
browser process, one WebSocket in flattened-session mode, a page per test that records
console messages, exceptions, log entries (CSP violations land there) and every network
request the page makes.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

# The flags the project runs Chromium with: headless, no sandbox (containers run as root),
# and nothing that talks to Google's services in the background.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)
STARTUP_SECONDS = 30.0
REPLY_SECONDS = 30.0


def find_chromium() -> str | None:
    """Debian's Chromium (``apt-get install chromium``), or one on the PATH."""
    for candidate in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


@dataclass
class Page:
    """A tab: what it logged and fetched, and commands to drive it."""

    browser: Browser
    session: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session)

    def open(self, url: str) -> None:
        """Navigate and wait for the load event."""
        self.send("Page.navigate", url=url)
        self.browser.wait_for("Page.loadEventFired", self.session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise AssertionError(f"page script failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def type_text(self, selector: str, text: str) -> None:
        """Focus an element and type into it as a keyboard would."""
        self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        self.send("Input.insertText", text=text)

    def screenshot(self, path: Path, width: int = 1280) -> None:
        """A PNG of the whole page at ``width`` CSS pixels."""
        height = self.evaluate("document.documentElement.scrollHeight")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=int(height),
            deviceScaleFactor=1,
            mobile=False,
        )
        shot = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def record(self, event: dict[str, Any]) -> None:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.console_errors.append(json.dumps(params.get("args")))
        elif method == "Runtime.exceptionThrown":
            self.console_errors.append(json.dumps(params.get("exceptionDetails")))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.console_errors.append(params["entry"].get("text", ""))
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Page.javascriptDialogOpening":
            self.dialogs.append(params.get("message", ""))
            self.browser.send("Page.handleJavaScriptDialog", {"accept": True}, session=self.session)


class Browser:
    """One Chromium process and its DevTools WebSocket."""

    def __init__(self, executable: str, profile: Path) -> None:
        self._process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + STARTUP_SECONDS
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("Chromium did not start its DevTools endpoint")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self._socket = websocket.create_connection(
            f"ws://127.0.0.1:{port}{path}", timeout=REPLY_SECONDS, suppress_origin=True
        )
        self._ids = itertools.count(1)
        self._pages: dict[str, Page] = {}
        self._pending: list[dict[str, Any]] = []

    def close(self) -> None:
        sock = getattr(self, "_socket", None)
        if sock is not None:
            sock.close()
        self._process.kill()
        self._process.wait()

    def _receive(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self._socket.recv())
        session = message.get("sessionId")
        if "method" in message and session in self._pages:
            self._pages[session].record(message)
        return message

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None
    ) -> dict[str, Any]:
        number = next(self._ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._socket.send(json.dumps(message))
        while True:
            reply = self._receive()
            if reply.get("id") == number:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self._pending.append(reply)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        for n, event in enumerate(self._pending):
            if event["method"] == method and event.get("sessionId") == session:
                return self._pending.pop(n)
        while True:
            event = self._receive()
            if event.get("method") == method and event.get("sessionId") == session:
                return event

    @contextmanager
    def page(self) -> Iterator[Page]:
        """A new tab recording console errors and requests from before its first load."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        self._pages[session] = page
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        try:
            yield page
        finally:
            del self._pages[session]
            self.send("Target.closeTarget", {"targetId": target})


def open_rendered(browser: Browser, directory: Path, value: object) -> Iterator[Page]:
    """``value`` rendered as keyless's HTML into ``directory`` and opened in a new page
    (a generator, so a fixture can ``yield from`` it and the page closes after)."""
    from keyless.render import Format, RenderOptions, render

    report = directory / "report.html"
    report.write_text(render(value, Format.HTML, RenderOptions()), encoding="utf-8")
    with browser.page() as page:
        page.open(report.as_uri())
        yield page
