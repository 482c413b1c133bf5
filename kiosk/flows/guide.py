"""The service guide (办事指南) as a controller: category → item list → one item's page, and the
page printed as a slip the citizen takes home to prepare.

``GuideFlow`` owns the guide's typed state (``kiosk.flows.guide_state``): the category, the pinyin
filter, the item shown, the walk through a bundle's items (Back walks it back), the screen of
another flow the guide was opened from (``open(item_id, return_to=…)``: Back returns there), and
the slip's print state (printing → printed | failed with the reason → print again once the
printer answers; the maintenance alert is raised and cleared by ``PrintDesk``). The page's words
come from ``kiosk.flows.guide_page``, the slip from ``kiosk.receipts.guide``; the views call the
steps and draw. Never imports Kivy, never reads the wall clock, never holds anything personal
(the slip carries no name, no ID number, no ticket).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from config.schema import Config
from drivers.printer.base import PaperOut
from kiosk.catalogue import Catalogue, Category, ServiceItem
from kiosk.clock import Clock, local_now
from kiosk.events import DeviceHealthChanged, EventBus
from kiosk.flows.base import Flow, Worker
from kiosk.flows.guide_page import GuidePage, guide_page
from kiosk.flows.guide_state import GuideState, GuideStep, SlipProblem, SlipState
from kiosk.flows.printing import PaperWatch, PrintDesk
from kiosk.receipts.guide import guide_slip
from kiosk.session import SessionKeeper

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


log = logging.getLogger(__name__)



class GuideFlow(Flow[GuideState]):
    name = "guide"

    def __init__(self, *, bus: EventBus, worker: Worker, clock: Clock, tz: ZoneInfo,
                 config: Config, sessions: SessionKeeper, catalogue: Catalogue,
                 printing: PrintDesk) -> None:
        super().__init__(bus, worker, GuideState(), sessions)
        self.clock = clock
        self.tz = tz
        self.config = config
        self.sessions = sessions
        self.catalogue = catalogue
        self.printing = printing
        self._attempt = 0  # print attempts: an answer for an older one is ignored
        self.paper = PaperWatch(printing,
                                failed=lambda: self.state.slip is SlipState.FAILED,
                                ready=lambda: self.state.reprint_ready,
                                answered=self._reprint_ready,
                                generation=lambda: self.generation)
        self._unsubscribe.append(bus.subscribe(DeviceHealthChanged, self._health))

    # ---- what the views read ----------------------------------------------------------------
    def category(self) -> Category | None:
        return next((c for c in self.catalogue.categories if c.code == self.state.category),
                    None)

    def item(self) -> ServiceItem | None:
        if self.state.item is None:
            return None
        try:
            return self.catalogue.item(self.state.item)
        except KeyError:
            return None

    def letters(self) -> list[str]:
        """Pinyin initials that start an item of the chosen category (the A–Z strip)."""
        code = self.state.category
        return self.catalogue.initials(code) if code else []

    def items(self) -> list[ServiceItem]:
        """The chosen category's items, only those starting with the chosen letter if any."""
        code = self.state.category
        if code is None:
            return []
        if self.state.letter:
            return self.catalogue.search_initials(self.state.letter, code)
        return list(self.catalogue.items_in(code))

    def page(self, lang: str) -> GuidePage | None:
        item = self.item()
        return guide_page(item, self.catalogue, lang) if item is not None else None

    @property
    def can_print(self) -> bool:
        return self.printing.fitted

    def hall_now(self) -> datetime:
        return local_now(self.clock, self.tz)

    # ---- steps ------------------------------------------------------------------------------
    def start(self) -> None:
        """The category list, from home: nothing chosen, nowhere to return to."""
        self._attempt += 1
        self._change(step=GuideStep.CATEGORY, category=None, letter="", item=None, trail=(),
                     return_to=None, **self._slip_reset())

    def choose_category(self, code: str) -> bool:
        if not any(c.code == code for c in self.catalogue.categories):
            log.warning("no category %r in the catalogue", code)
            return False
        self._change(step=GuideStep.ITEMS, category=code, letter="", item=None, trail=())
        return True

    def tap_letter(self, letter: str) -> None:
        """The same letter again clears the filter: one finger, no keyboard."""
        self._change(letter="" if letter.upper() == self.state.letter else letter.upper())

    def choose_item(self, item_id: str) -> bool:
        """From the list: the item's page; False for an id the catalogue does not have."""
        if not self._known(item_id):
            return False
        self._attempt += 1
        self._change(step=GuideStep.ITEM, item=item_id, trail=(), **self._slip_reset())
        return True

    def open(self, item_id: str, return_to: str | None = None) -> bool:
        """From another flow: straight to ``item_id``'s page; Back from it leads to
        ``return_to`` (a screen name the caller chose). False for an unknown item."""
        if not self._known(item_id):
            return False
        item = self.catalogue.item(item_id)
        self._attempt += 1
        self._change(step=GuideStep.ITEM, category=item.category, letter="", item=item_id,
                     trail=(), return_to=return_to, **self._slip_reset())
        return True

    def follow(self, item_id: str) -> bool:
        """A bundle link on the page: the other item's page; Back comes back to this one."""
        current = self.state.item
        if current is None or item_id == current or not self._known(item_id):
            return False
        self._attempt += 1
        self._change(item=item_id, trail=(*self.state.trail, current), **self._slip_reset())
        return True

    def back(self) -> str | None:
        """Back from an item's page: the item left through a bundle link if any (the page stays),
        else the screen the guide was opened from (returned; the guide forgets it), else the
        item list (None)."""
        if self.state.step is not GuideStep.ITEM:
            return None
        self._attempt += 1
        if self.state.trail:
            *rest, previous = self.state.trail
            self._change(item=previous, trail=tuple(rest), **self._slip_reset())
            return None
        target = self.state.return_to
        if target is not None:
            self._change(step=GuideStep.CATEGORY, item=None, return_to=None,
                         **self._slip_reset())
            return target
        self._change(step=GuideStep.ITEMS, item=None, **self._slip_reset())
        return None

    def _known(self, item_id: str) -> bool:
        try:
            self.catalogue.item(item_id)
        except KeyError:
            log.warning("no item %r in the catalogue", item_id)
            return False
        return True

    @staticmethod
    def _slip_reset() -> dict[str, object]:
        return {"slip": SlipState.IDLE, "slip_problem": None, "reprint_ready": False}

    # ---- the slip ---------------------------------------------------------------------------
    def print_slip(self) -> bool:
        """打印清单 (or print again after a failure): False when no page is shown or a print is
        already running (a second tap never prints a second slip)."""
        item = self.item()
        if item is None or self.state.slip is SlipState.PRINTING:
            return False
        self._attempt += 1
        attempt, generation = self._attempt, self.generation
        self.paper.restart_timer()
        lang = self.sessions.current.language
        receipt = guide_slip(guide_page(item, self.catalogue, lang), self.config.hall, lang,
                             self.hall_now())
        self._change(slip=SlipState.PRINTING, slip_problem=None, reprint_ready=False)

        def done(error: BaseException | None) -> None:
            if attempt == self._attempt and generation == self.generation:
                self._printed(error)

        self.printing.print_receipt(receipt, done)
        return True

    def _printed(self, error: BaseException | None) -> None:
        if error is None:
            log.info("guide slip printed for %s", self.state.item)
            self._change(slip=SlipState.PRINTED)
            return
        problem = SlipProblem.PAPER_OUT if isinstance(error, PaperOut) else SlipProblem.OFFLINE
        log.info("guide slip not printed: %s", problem)
        self._change(slip=SlipState.FAILED, slip_problem=problem, reprint_ready=False)
        self.paper.ask()  # a one-off hiccup may already be over

    def _health(self, event: DeviceHealthChanged) -> None:
        if event.kind == "printer" and self.state.slip is SlipState.FAILED:
            self.paper.ask()

    def _reprint_ready(self, usable: bool) -> None:
        self._change(reprint_ready=usable)

    def tick(self, monotonic_now: float) -> None:
        """Called by the view's timer: while a slip has failed, ask the printer every few s."""
        self.paper.tick(monotonic_now)

    def reset(self) -> None:
        self._attempt += 1
        self.paper.reset()
        super().reset()
