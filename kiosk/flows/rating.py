"""The rating (好差评) journey as a controller: a ticket or a case → one of five faces →
optional reasons → (bad ratings) whether to be contacted → committed → 谢谢您的评价.

Other flows offer a rating at their end with ``start(target_kind, target_id)``; the home tile
starts at ``start_scan()`` and a scanned ticket or receipt QR picks the target (checked with
the hall secret, ``kiosk.progress.codes``). A good rating takes two taps here (a face, then 提交);
a bad one asks whether the citizen wants to be contacted with its two submit buttons, so it
takes two as well. The rating is committed before the thanks are shown; it reaches the hall when
the session ends (``kiosk.flows.rating_store``: held so a change of mind in the same session
replaces it, never a second record). Never imports Kivy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from config.schema import Config
from kiosk.events import EventBus
from kiosk.flows.base import Flow, Outcome, Worker
from kiosk.flows.rating_state import (
    LEVEL_LABELS,
    RatingNotice,
    RatingNoticeKind,
    RatingState,
    RatingStep,
    reasons_for,
)
from kiosk.flows.rating_store import AlreadyRated, HeldRating, RatingStore, SavedRating
from kiosk.progress.codes import read_code
from kiosk.session import SessionKeeper

log = logging.getLogger(__name__)


class RatingFlow(Flow[RatingState]):
    name = "rating"

    def __init__(self, *, bus: EventBus, worker: Worker, config: Config,
                 sessions: SessionKeeper, store: RatingStore,
                 secret: Callable[[], bytes]) -> None:
        super().__init__(bus, worker, RatingState(), sessions)
        self.config = config
        self.sessions = sessions
        self.store = store
        self._secret = secret
        self._serial = 0
        self._holding = False  # this session saved a rating that has not gone to the hall
        # Ratings held by a kiosk process that stopped before its session ended go now.
        self.worker.run(self.store.release, self._released)

    # ---- choosing what is rated ---------------------------------------------------------------
    def start_scan(self) -> None:
        """From the home tile: ask for the ticket or receipt QR."""
        self.generation += 1
        self._change(step=RatingStep.SCAN, target_kind=None, target_id=None, level=None,
                     reasons=(), contact_wanted=False, checking=False, saving=False,
                     replaced=False, notice=None)

    def start(self, target_kind: str, target_id: str) -> None:
        """Offered at the end of another flow: rate this ticket or case now."""
        if target_kind not in ("ticket", "case") or not target_id:
            raise ValueError(f"a rating is of a ticket or a case, not {target_kind!r}")
        self.generation += 1
        self._change(step=RatingStep.FACES, target_kind=target_kind, target_id=target_id,
                     level=None, reasons=(), contact_wanted=False, checking=True,
                     saving=False, replaced=False, notice=None)
        session_id = self.sessions.current.id
        self._run(lambda: self.store.mine(session_id, target_kind, target_id), self._checked)

    def code_scanned(self, text: str) -> bool:
        """A ticket or a receipt QR; False when it names neither (a notice says so)."""
        if self.state.saving or self.state.step is RatingStep.THANKS:
            return False
        scanned = read_code(text, self._secret(), hall_code=self.config.hall.code)
        if scanned is None:
            self._notify(RatingNoticeKind.NOT_A_CODE)
            return False
        self.start(scanned.kind, scanned.target_id)
        return True

    def _checked(self, outcome: Outcome[HeldRating | None]) -> None:
        if isinstance(outcome.error, AlreadyRated):
            self._change(step=RatingStep.SCAN, checking=False, target_kind=None,
                         target_id=None)
            self._notify(RatingNoticeKind.ALREADY_RATED)
            return
        if outcome.error is not None:
            log.error("rating: checking the target failed", exc_info=outcome.error)
            self._change(checking=False)  # saving will decide; the citizen can still rate
            return
        held = outcome.value
        if held is None:
            self._change(checking=False)
        else:  # this session rated it already: show that choice, ready to be changed
            self._change(checking=False, level=held.level, reasons=held.reasons,
                         contact_wanted=held.contact_wanted)

    # ---- rating -----------------------------------------------------------------------------
    def choose_level(self, level: int) -> None:
        if level not in LEVEL_LABELS or self.state.step is not RatingStep.FACES:
            return
        allowed = {r.label for r in reasons_for(level)}
        kept = tuple(r for r in self.state.reasons if r in allowed)
        self._change(level=level, reasons=kept)

    def toggle_reason(self, label: str) -> None:
        if label not in {r.label for r in reasons_for(self.state.level)}:
            return
        reasons = self.state.reasons
        self._change(reasons=tuple(r for r in reasons if r != label) if label in reasons
                     else (*reasons, label))

    def submit(self, contact_wanted: bool = False) -> bool:
        """提交 (for a bad rating: 提交并希望联系 / 提交，不需要联系). False when ignored: no
        face chosen, no target, or a commit already running."""
        state = self.state
        if (state.step is not RatingStep.FACES or state.level is None or state.saving
                or state.target_kind is None or state.target_id is None):
            return False
        level = state.level
        chosen = [r for r in reasons_for(level) if r.label in state.reasons]
        dimensions = {"overall": level} | {r.dimension: level for r in chosen}
        contact = bool(contact_wanted) and state.bad
        kind, target, session_id = state.target_kind, state.target_id, self.sessions.current.id
        self._change(saving=True, contact_wanted=contact)
        # Set before the commit: a session ending while it runs still releases what it saved
        # (any later release sends it too: only the new session's ratings are kept back).
        self._holding = True
        self._run(lambda: self.store.save(session_id, kind, target, level,
                                          [r.label for r in chosen], dimensions, contact),
                  self._saved)
        return True

    def _saved(self, outcome: Outcome[SavedRating]) -> None:
        if isinstance(outcome.error, AlreadyRated):
            self._change(saving=False, step=RatingStep.SCAN, target_kind=None, target_id=None,
                         level=None, reasons=())
            self._notify(RatingNoticeKind.ALREADY_RATED)
            return
        if outcome.error is not None or outcome.value is None:
            log.error("rating: saving failed", exc_info=outcome.error)
            self._change(saving=False)
            self._notify(RatingNoticeKind.FAULT)
            return
        log.info("rating %s %s (level %d)", outcome.value.rating_id[:8],
                 "replaced" if outcome.value.replaced else "saved", self.state.level or 0)
        self._change(saving=False, step=RatingStep.THANKS, replaced=outcome.value.replaced)

    def change(self) -> None:
        """修改评价 from the thanks: back to the faces with the choice kept (same session)."""
        if self.state.step is RatingStep.THANKS and self.state.target_id is not None:
            self._change(step=RatingStep.FACES, replaced=False)

    def finish(self) -> None:
        """完成: the session ends, and with it the rating goes to the hall."""
        self.sessions.end("completed")

    # ---- the session ends ---------------------------------------------------------------------
    def reset(self) -> None:
        super().reset()
        if not self._holding:
            return  # nothing of this session to send: no database round trip per session
        self._holding = False
        keep = self.sessions.current.id  # the new session; the ended one's ratings go
        self.worker.run(lambda: self.store.release(keep_session=keep), self._released)

    def _released(self, outcome: Outcome[int]) -> None:
        if outcome.error is not None:  # the next session end or start tries again
            log.error("rating: releasing held ratings failed: %s",
                      type(outcome.error).__name__)

    def _notify(self, kind: RatingNoticeKind) -> None:
        self._serial += 1
        self._change(notice=RatingNotice(kind, self._serial))
