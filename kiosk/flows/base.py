"""What every flow shares: the state-changed event, the worker, and the one state setter.

``Flow._change`` is the only place a flow's state is replaced: it logs the step (never personal
data) and publishes ``FlowChanged`` so the view redraws. Work that may block (a database round
trip, a printer) goes through ``Worker.run``, whose result is handed back through the dispatch
given at construction, so the flow's state is only ever touched on the dispatch thread. A result
that arrives after the session ended (``generation`` moved on) is dropped. A flow given the
``SessionKeeper`` is wiped inside ``SessionKeeper.end``. Never imports Kivy.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from kiosk.events import Dispatch, EventBus
from kiosk.session import SessionKeeper

log = logging.getLogger(__name__)

S = TypeVar("S")
T = TypeVar("T")


@dataclass(frozen=True)
class FlowChanged:
    """A flow's state was replaced; read the new one from the flow itself."""

    flow: str
    step: str


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a worker job ended with: a value or the exception it raised."""

    value: T | None = None
    error: BaseException | None = None


class Worker:
    """Runs slow jobs off the UI thread and hands each outcome to ``dispatch``.

    The thread pool is small and lives as long as the kiosk: threads are not started per job.
    """

    def __init__(self, dispatch: Dispatch, threads: int = 2) -> None:
        self._dispatch = dispatch
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="flow")

    def run(self, job: Callable[[], T], done: Callable[[Outcome[T]], None]) -> Future[T]:
        future = self._pool.submit(job)
        future.add_done_callback(lambda f: self._hand_back(f, done))
        return future

    def _hand_back(self, future: Future[T], done: Callable[[Outcome[T]], None]) -> None:
        if future.cancelled():
            return
        error = future.exception()
        outcome: Outcome[T] = Outcome(error=error) if error else Outcome(value=future.result())
        self._dispatch(lambda: done(outcome))

    def stop(self, wait: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=True)


class InlineWorker(Worker):
    """Runs each job at once on the caller's thread (tests that want one step at a time)."""

    def __init__(self, dispatch: Dispatch) -> None:
        self._dispatch = dispatch

    def run(self, job: Callable[[], T], done: Callable[[Outcome[T]], None]) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(job())
        except BaseException as exc:  # handed to ``done`` like the pool does
            future.set_exception(exc)
        self._hand_back(future, done)
        return future

    def stop(self, wait: bool = False) -> None:
        pass


class Flow(Generic[S]):
    """Base of every flow controller: typed state, one setter, a session generation."""

    name = "flow"

    def __init__(self, bus: EventBus, worker: Worker, initial: S,
                 sessions: SessionKeeper | None = None) -> None:
        self.bus = bus
        self.worker = worker
        self._initial = initial
        self._state = initial
        self.generation = 0  # bumped when the citizen's session ends; stale results are dropped
        # Wiped inside ``SessionKeeper.end`` itself, not a frame later when SessionEnded arrives.
        self._unsubscribe = [sessions.on_end(self.reset)] if sessions is not None else []

    @property
    def state(self) -> S:
        return self._state

    def _change(self, **changes: Any) -> None:
        """Replace the state (the only place it changes), log the step and tell the view."""
        old = self._state
        self._state = dataclasses.replace(old, **changes)  # type: ignore[type-var]
        step = str(getattr(self._state, "step", ""))
        if step != str(getattr(old, "step", "")):
            log.info("%s: %s -> %s", self.name, getattr(old, "step", ""), step)
        else:
            log.debug("%s: %s changed %s", self.name, step, ", ".join(sorted(changes)))
        self.bus.publish(FlowChanged(self.name, step))

    def _run(self, job: Callable[[], T], done: Callable[[Outcome[T]], None]) -> None:
        """``job`` on the worker; ``done`` on the dispatch thread unless the session moved on."""
        generation = self.generation

        def back(outcome: Outcome[T]) -> None:
            if generation == self.generation:
                done(outcome)
            else:
                log.debug("%s: a result for an ended session was dropped", self.name)

        self.worker.run(job, back)

    def reset(self) -> None:
        """Forget everything about the citizen (the session ended)."""
        self.generation += 1
        self._state = self._initial
        self.bus.publish(FlowChanged(self.name, str(getattr(self._state, "step", ""))))

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
