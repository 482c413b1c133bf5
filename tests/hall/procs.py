"""``kiosk hall serve`` as a real process for the tests and the benchmark: start, wait for the
first 200 on /healthz (polling with a deadline), stop with SIGTERM."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.hall.conftest import SECRET, free_port

START_DEADLINE_S = 30


def kiosk_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk.cli", *args]


def env() -> dict[str, str]:
    return {**os.environ, "KIVY_NO_ARGS": "1", "KIOSK_HALL_SECRET": SECRET.hex(),
            "PYTHONDONTWRITEBYTECODE": "1"}


def run_cli(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(kiosk_cmd(*args), cwd=cwd, env=env(), input=stdin,
                          capture_output=True, text=True, timeout=120)


class ServeProcess:
    def __init__(self, db_url: str, cwd: Path, *extra: str, scheme: str = "http") -> None:
        self.port = free_port()
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.cwd = cwd
        self.args = kiosk_cmd("hall", "serve", "--db", db_url, "--port", str(self.port),
                              "--files", str(cwd / "files"), "--log-level", "warning", *extra)
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_in_s = 0.0

    def start(self, verify: bool | ssl.SSLContext = True) -> ServeProcess:
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(self.args, cwd=self.cwd, env=env(),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = t0 + START_DEADLINE_S
        with httpx.Client(verify=verify, timeout=1) as c:
            while True:
                if self.proc.poll() is not None:
                    err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                    raise RuntimeError(f"kiosk hall serve exited {self.proc.returncode}: {err}")
                try:
                    if c.get(f"{self.url}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() > deadline:
                    self.stop()
                    raise RuntimeError("kiosk hall serve did not answer /healthz in time")
                time.sleep(0.005)
        self.started_in_s = time.perf_counter() - t0
        return self

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()
        finally:
            if self.proc.stderr:
                self.proc.stderr.close()

    def __enter__(self) -> ServeProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
