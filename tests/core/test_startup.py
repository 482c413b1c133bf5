"""``kiosk.startup``: the database and the journeys are built behind home, handed over once,
and never outlive an app that stopped first."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from kiosk.startup import KioskCore, Startup


class Built:
    """Stands in for the finished context: only ``close`` matters to ``Startup``."""

    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


class Core:
    """The part of ``KioskCore`` ``Startup`` uses: a dispatch the test runs by hand."""

    def __init__(self) -> None:
        self.queued: list[Callable[[], None]] = []
        self.dispatched = threading.Event()

    def dispatch(self, fn: Callable[[], None]) -> None:
        self.queued.append(fn)
        self.dispatched.set()

    def run_ui(self) -> None:
        for fn in self.queued:
            fn()
        self.queued.clear()


def make(finish: Callable[[Any], Any]) -> tuple[Startup, Core, list[object], list[BaseException]]:
    core = Core()
    ready: list[object] = []
    failed: list[BaseException] = []
    startup = Startup(core, finish, ready.append, failed.append)  # type: ignore[arg-type]
    return startup, core, ready, failed


def test_the_finished_context_is_handed_over_on_the_ui_thread() -> None:
    built = Built()
    startup, core, ready, failed = make(lambda _core: built)
    startup.start()
    assert core.dispatched.wait(10)
    assert ready == []  # nothing reaches the app but through its dispatch
    core.run_ui()
    assert ready == [built] and failed == []
    startup.abandon()  # the app stops later: what it was handed is its own to close
    assert built.closed == 0


def test_a_failure_is_reported_and_nothing_is_handed_over() -> None:
    def finish(_core: object) -> object:
        raise OSError("database folder is read-only")

    startup, core, ready, failed = make(finish)
    startup.start()
    assert core.dispatched.wait(10)
    core.run_ui()
    assert ready == [] and [str(e) for e in failed] == ["database folder is read-only"]


def test_stopping_while_the_build_runs_closes_what_it_built() -> None:
    gate, built = threading.Event(), Built()

    def finish(_core: object) -> Built:
        gate.wait(10)
        return built

    startup, core, ready, _failed = make(finish)
    startup.start()
    releaser = threading.Timer(0.2, gate.set)  # the build ends while abandon() waits for it
    releaser.start()
    startup.abandon(timeout=10)
    releaser.join()
    assert built.closed == 1 and core.queued == [] and ready == []


def test_stopping_after_the_build_but_before_the_hand_over_closes_it_once() -> None:
    built = Built()
    startup, core, ready, _failed = make(lambda _core: built)
    startup.start()
    assert core.dispatched.wait(10)
    startup.abandon()  # the UI loop stopped with the hand-over still queued
    core.run_ui()
    assert built.closed == 1 and ready == []


def test_stopping_before_home_was_drawn_builds_nothing() -> None:
    calls: list[object] = []
    startup, core, ready, failed = make(calls.append)
    startup.abandon()  # the app stopped before its first frame: the thread never started
    startup.start()  # and a late start builds nothing
    assert calls == [] and core.queued == [] and ready == [] and failed == []


def test_the_core_is_a_kiosk_context_without_the_database() -> None:
    from kiosk.context import KioskContext

    assert not KioskCore.complete and KioskContext.complete
    core_fields = set(KioskCore.__dataclass_fields__)
    assert core_fields < set(KioskContext.__dataclass_fields__)
    assert {"engine", "flows", "queue"}.isdisjoint(core_fields)


@pytest.mark.parametrize("module", ["kiosk.startup", "kiosk.cli", "screens.cli",
                                    "screens.registry"])
def test_what_home_is_drawn_from_imports_no_database_code(module: str) -> None:
    """SQLAlchemy and the models are a third of a second of imports: none before home."""
    import subprocess
    import sys

    code = (f"import sys, {module}; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'sqlalchemy', 'alembic', 'cv2', 'argon2', 'jieba', 'escpos'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, env={"KIVY_NO_ARGS": "1", "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
