"""Browser tests of the hall's pages: the real server on loopback, Debian's headless Chromium.

One hall server (uvicorn in a thread, SQLite file database in a temporary folder, the kiosk
tables and the hall tables both migrated) and one browser per test module. The catalogue is the
shipped one with every service open all week, so tests do not depend on the hour they run at.
Screenshots of every page go to tests/artifacts/hall/ (1366×768; the ticket page 390×844), after a
check that nothing overflows the window and every text meets a 4.5:1 contrast (3:1 when large).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import Engine

from kiosk.clock import SystemClock
from kiosk.config import load_config
from kiosk.hall.settings import HallSettings
from kiosk.queue import QueueService

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "tests" / "artifacts" / "hall"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SECRET = bytes.fromhex("5a" * 16 + "a5" * 16)
HALL_NAME = "泉州市行政服务中心"
CLERK = ("clerk1", "correct-horse-1")
SUPERVISOR = ("chief", "battery-staple-2")
DESKTOP = (1366, 768)
PHONE = (390, 844)
WAIT_S = 15.0


def always_open_catalogue(folder: Path) -> Path:
    """The shipped catalogue with every schedule open 00:00–24:00 on all seven days."""
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    out, in_schedule = [], False
    for line in (ROOT / "config" / "catalogue.toml").read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            in_schedule = line.startswith("[schedules.")
            out.append(line)
            if in_schedule:
                out.extend(f'{d} = ["00:00-24:00"]' for d in days)
            continue
        if in_schedule and re.match(r"^(mon|tue|wed|thu|fri|sat|sun)\s*=", line):
            continue
        out.append(line)
    path = folder / "catalogue.toml"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Hall:
    base_url: str
    settings: HallSettings
    app: Any
    engine: Engine
    queue: QueueService  # the kiosk side: issues tickets into the same database

    def url(self, path: str) -> str:
        return self.base_url + path


class HallServer:
    """uvicorn serving ``app`` on a free loopback port, in a thread of this process."""

    def __init__(self, app: Any) -> None:
        self.port = _free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                timeout_graceful_shutdown=2, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="hall-server", daemon=True)

    def start(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + WAIT_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the hall server did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def build_hall(tmp: Path, db_url: str | None = None) -> tuple[Hall, HallServer]:
    from kiosk.hall.app import create_app
    from kiosk.hall.auth import add_staff

    settings = HallSettings(
        db_url=db_url or f"sqlite:///{tmp / 'hall.sqlite3'}", files_dir=tmp / "files",
        hall_code="QZ01", hall_name=HALL_NAME, catalogue_path=str(always_open_catalogue(tmp)),
        secret=SECRET)
    app = create_app(settings)
    with app.state.sessions.begin() as session:
        add_staff(session, CLERK[0], CLERK[1], "clerk")
        add_staff(session, SUPERVISOR[0], SUPERVISOR[1], "supervisor")
    engine = app.state.engine
    config = load_config(None)
    queue = QueueService(engine, settings.catalogue(), config, SystemClock(settings.tz), "K01",
                         secret=SECRET)
    server = HallServer(app)
    return Hall(server.start(), settings, app, engine, queue), server


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Iterator[Hall]:
    built, server = build_hall(tmp_path_factory.mktemp("hall"))
    yield built
    server.stop()
    built.engine.dispose()


def make_browser() -> WebDriver:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.fail("Debian's chromium and chromium-driver are needed (./kiosk.sh setup "
                    "installs them)", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={DESKTOP[0]},{DESKTOP[1]}", "--lang=zh-CN",
                "--autoplay-policy=no-user-gesture-required", "--mute-audio"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    set_viewport(driver, *DESKTOP)
    return driver


def set_viewport(driver: WebDriver, width: int, height: int) -> None:
    """The page's own viewport (what a screenshot shows), not the outer window."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1,
        "mobile": width < 600})


@pytest.fixture(scope="module")
def browser(hall) -> Iterator[WebDriver]:
    driver = make_browser()
    yield driver
    driver.quit()  # before the server stops: open event streams end with the browser


def wait_for(driver: WebDriver, condition: Any, timeout: float = WAIT_S,
             message: str = "") -> Any:
    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition, message)


def text_of(driver: WebDriver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text


def login(driver: WebDriver, hall: Hall, who: tuple[str, str] = CLERK) -> None:
    driver.delete_all_cookies()
    driver.get(hall.url("/login"))
    driver.find_element(By.ID, "username").send_keys(who[0])
    driver.find_element(By.ID, "password").send_keys(who[1])
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, lambda d: "/login" not in d.current_url, message="login did not finish")


def submit(driver: WebDriver, button_css: str) -> None:
    """Click a form's button and wait for the next page to replace this one."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, button_css).click()
    wait_for(driver, lambda d: _stale(old), message=f"{button_css}: no new page")


def _stale(element: Any) -> bool:
    try:
        element.tag_name  # noqa: B018 (touching it raises once the page is gone)
        return False
    except Exception:  # StaleElementReferenceException
        return True


# Every visible text element: its colour against the first opaque background behind it.
CONTRAST_JS = r"""
function rgb(s) { var m = s.match(/[\d.]+/g); return m ? m.map(Number) : [0,0,0,0]; }
function lum(c) { var a = c.slice(0,3).map(function (v) { v /= 255;
  return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2]; }
function bg(el) { for (; el; el = el.parentElement) {
  var c = rgb(getComputedStyle(el).backgroundColor);
  if (c.length < 4 || c[3] > 0.9) return c; } return [255,255,255,1]; }
var bad = [];
document.querySelectorAll("body *").forEach(function (el) {
  var own = Array.prototype.some.call(el.childNodes, function (n) {
    return n.nodeType === 3 && n.textContent.trim(); });
  if (!own || el.closest("[hidden]") || el.disabled) return;
  var st = getComputedStyle(el), r = el.getBoundingClientRect();
  if (st.visibility === "hidden" || st.display === "none" || r.width === 0) return;
  var a = lum(rgb(st.color)), b = lum(bg(el));
  var ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  var size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
  var need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
  if (ratio < need) bad.push(el.tagName + " '" + el.textContent.trim().slice(0, 30) + "' " +
                             ratio.toFixed(2) + " < " + need);
});
return bad;
"""

OVERFLOW_JS = r"""
var w = window.innerWidth, bad = [];
if (document.documentElement.scrollWidth > w + 1) bad.push("page wider than the window: " +
    document.documentElement.scrollWidth + " > " + w);
document.querySelectorAll("body *").forEach(function (el) {
  var st = getComputedStyle(el);
  if (st.display === "none" || el.closest("[hidden]")) return;
  var r = el.getBoundingClientRect();
  if (r.width > 0 && (r.right > w + 1 || r.left < -1)) bad.push(el.tagName + "#" + el.id +
      " leaves the window (" + Math.round(r.left) + ".." + Math.round(r.right) + ")");
  if ((st.overflowX === "hidden" || st.overflow === "hidden") && st.textOverflow !== "ellipsis"
      && el.scrollWidth > el.clientWidth + 1 && el.textContent.trim())
    bad.push(el.tagName + "#" + el.id + " clips its text");
});
return bad;
"""


def shot(driver: WebDriver, name: str) -> Path:
    """Check the page (no overflow, contrast) and save its screenshot under tests/artifacts."""
    overflow = driver.execute_script(OVERFLOW_JS)
    assert overflow == [], f"{name}: {overflow[:5]}"
    contrast = driver.execute_script(CONTRAST_JS)
    assert contrast == [], f"{name}: {contrast[:5]}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def http(hall: Hall) -> httpx.Client:
    return httpx.Client(base_url=hall.base_url, follow_redirects=False, timeout=WAIT_S)
