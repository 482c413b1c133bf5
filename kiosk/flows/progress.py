"""The progress lookup (办件查询) journey as a controller: scan the receipt QR or tap the ID
card → the person's cases → one case with its timeline, what is still owed (with deadlines),
and where and how to collect the result (a window, the document locker, the post).

Lookups run on the worker with the hall server's short timeout and no retry; every answer is
kept (``kiosk.progress.cache``) so that when the server cannot be reached the last known state
is shown with its age (``live = False`` and ``fetched``). Cases committed at this kiosk and not
yet at the hall (``kiosk.progress.local``) are shown too. A scanned code is checked with the
hall secret here, so a forged receipt never reaches the network. The ID card is hashed at once
(``kiosk.privacy.id_hash``) and never kept in the state; nothing personal beyond the masked
name is shown. Never imports Kivy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from config.schema import Config
from drivers.idcard.base import IdCard
from kiosk.catalogue import Catalogue
from kiosk.clock import Clock, local_now
from kiosk.events import EventBus
from kiosk.flows.base import Flow, Outcome, Worker
from kiosk.flows.identity import CardProblem, CardVerdict, check_card
from kiosk.flows.progress_state import (
    Collection,
    CollectionKind,
    ProgressNotice,
    ProgressNoticeKind,
    ProgressState,
    ProgressStep,
)
from kiosk.privacy import id_hash, mask_name
from kiosk.progress.cache import CaseCache
from kiosk.progress.codes import read_code
from kiosk.progress.local import local_cases
from kiosk.progress.reader import CaseUnknown, HallReader, ReadFailed
from kiosk.progress.views import CaseView, OwedMaterial
from kiosk.session import SessionKeeper

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lookup:
    """What one lookup found: the cases, when the hall last answered for each, and whether
    it answered now."""

    cases: tuple[CaseView, ...]
    fetched: Mapping[str, datetime]
    live: bool


class ProgressFlow(Flow[ProgressState]):
    name = "progress"

    def __init__(self, *, bus: EventBus, worker: Worker, clock: Clock, config: Config,
                 sessions: SessionKeeper, engine: Engine, catalogue: Catalogue,
                 secret: Callable[[], bytes], reader: HallReader | None,
                 cache: CaseCache | None = None) -> None:
        super().__init__(bus, worker, ProgressState(standalone=reader is None), sessions)
        self.clock = clock
        self.config = config
        self.sessions = sessions
        self.engine = engine
        self.catalogue = catalogue
        self._secret = secret
        self.reader = reader
        self.cache = cache or CaseCache(engine, config.progress.cache_days)
        self.tz = ZoneInfo(config.hall.timezone)
        self._serial = 0
        self._card_looked_up = False  # this session's card was used once: Back stays back

    def connect(self, reader: HallReader | None) -> None:
        """Read from another hall server (or none: standalone) from the next lookup on — a
        settings reload, and the UI tests pointing a running kiosk at their own hall."""
        if self.reader is not None and self.reader is not reader:
            self.reader.close()
        self.reader = reader
        self._initial = ProgressState(standalone=reader is None)  # what a session end restores
        self._change(standalone=reader is None)

    # ---- what the views read ----------------------------------------------------------------
    def hall_now(self) -> datetime:
        return local_now(self.clock, self.tz)

    def age_minutes(self, case: CaseView | None = None) -> int | None:
        """How old the shown state is, in whole minutes; None when the hall answered now (or
        for a case only this kiosk knows)."""
        if self.state.live:
            return None
        fetched = self.state.fetched
        times = ([fetched[case.case_id]] if case is not None and case.case_id in fetched
                 else list(fetched.values()) if case is None else [])
        if not times:
            return None
        age = self.clock.now() - min(times)
        return max(0, int(age.total_seconds() // 60))

    def item_names(self, case: CaseView, lang: str) -> list[str]:
        names = []
        for item_id in case.item_ids:
            try:
                item = self.catalogue.item(item_id)
            except KeyError:
                names.append(item_id)
                continue
            names.append(item.name if lang == "zh" or not item.name_en else item.name_en)
        return names

    def material_name(self, case: CaseView, owed: OwedMaterial, lang: str) -> str:
        """The owed material's name in ``lang`` from the catalogue (the hall sends Chinese)."""
        if lang != "zh":
            for item_id in case.item_ids:
                try:
                    materials = self.catalogue.item(item_id).materials
                except KeyError:
                    continue
                for m in materials:
                    if owed.material_id and m.id == owed.material_id and m.name_en:
                        return m.name_en
        return owed.name

    # ---- start ------------------------------------------------------------------------------
    def start(self) -> None:
        """The first step. An ID card already tapped on home is used at once (one tap less),
        once per session: coming back to this step later does not look it up again."""
        self.generation += 1  # answers for an earlier lookup go nowhere
        self._change(step=ProgressStep.START, looking=False, by_card=False, masked_name="",
                     cases=(), chosen=None, collection=None, live=True, fetched={},
                     standalone=self.reader is None, notice=None)
        card = self.sessions.current.card
        if card is not None and not self._card_looked_up:
            self.card_inserted(card)

    def code_scanned(self, text: str) -> bool:
        """A receipt QR (by scanner or camera). False when ignored (a lookup is running)."""
        if self.state.looking:
            return False
        scanned = read_code(text, self._secret(), hall_code=self.config.hall.code)
        if scanned is None or scanned.kind != "case":
            log.info("progress: a code that is not a receipt of this hall was scanned")
            self._notify(ProgressNoticeKind.NOT_A_RECEIPT)
            return False
        self._change(looking=True, by_card=False, masked_name="", notice=None)
        self._run(lambda: self._by_receipt(scanned.target_id, scanned.token), self._found)
        return True

    def card_inserted(self, card: IdCard) -> bool:
        """Look up the card holder's cases. An expired card still names its holder (reading
        one's own cases needs no valid card); a number failing its check digit is refused."""
        if self.state.looking:
            return False
        verdict = check_card(card, self.hall_now().date())
        if verdict.problem is CardProblem.BAD_CHECK_DIGIT:
            self._notify(ProgressNoticeKind.CARD, card=verdict)
            return False
        person = id_hash(card.id_number, self._secret())  # the card itself is not kept
        self._card_looked_up = True
        self._change(looking=True, by_card=True, masked_name=mask_name(card.name), notice=None)
        self._run(lambda: self._by_person(person), self._found)
        return True

    def card_unreadable(self) -> None:
        self._notify(ProgressNoticeKind.CARD, card=CardVerdict(CardProblem.UNREADABLE))

    # ---- the lookups (worker thread) ----------------------------------------------------------
    def _by_receipt(self, case_id: str, token: str) -> Lookup:
        now = self.clock.now()
        local = local_cases(self.engine, case_id=case_id)
        if self.reader is None:
            return Lookup(tuple(local), {}, live=True)
        try:
            answer = self.reader.by_token(token)
            view = CaseView.from_json(answer)
        except CaseUnknown:
            return Lookup(tuple(local), {}, live=True)  # not at the hall (yet)
        except (ReadFailed, ValueError) as exc:
            log.warning("progress: hall unreadable: %s", exc)
        else:
            self.cache.store([answer], now)
            return Lookup((view,), {view.case_id: now}, live=True)
        cached = self.cache.case(case_id)
        if cached is not None:
            return Lookup((cached.view,), {case_id: cached.fetched_at}, live=False)
        return Lookup(tuple(local), {}, live=False)

    def _by_person(self, person_hash: str) -> Lookup:
        now = self.clock.now()
        local = local_cases(self.engine, person_hash=person_hash)
        if self.reader is None:
            return Lookup(tuple(local), {}, live=True)
        try:
            answers = self.reader.by_person(person_hash)
            views = [CaseView.from_json(a) for a in answers]
        except (ReadFailed, ValueError) as exc:
            log.warning("progress: hall unreadable: %s", exc)
        else:
            self.cache.store(answers, now, person_hash=person_hash)
            return Lookup(_merge(local, views), {v.case_id: now for v in views}, live=True)
        cached = self.cache.of_person(person_hash)
        return Lookup(_merge(local, [c.view for c in cached]),
                      {c.view.case_id: c.fetched_at for c in cached}, live=False)

    def _found(self, outcome: Outcome[Lookup]) -> None:
        if outcome.error is not None or outcome.value is None:
            log.error("progress lookup failed", exc_info=outcome.error)
            self._change(looking=False)
            self._notify(ProgressNoticeKind.FAULT)
            return
        found = outcome.value
        if not found.cases:
            self._change(looking=False, live=found.live)
            self._notify(ProgressNoticeKind.NOT_FOUND if found.live
                         else ProgressNoticeKind.UNREACHABLE)
            return
        self._change(looking=False, cases=found.cases, fetched=dict(found.fetched),
                     live=found.live)
        if len(found.cases) == 1:
            self._show(found.cases[0])
        else:
            self._change(step=ProgressStep.LIST, chosen=None, collection=None)

    # ---- one case ---------------------------------------------------------------------------
    def open_case(self, case_id: str) -> bool:
        """From the list. A summary is shown at once; its detail (timeline, owed list) is read
        off the UI thread when the hall answers, else taken from the cache."""
        if self.state.looking:
            return False
        case = next((c for c in self.state.cases if c.case_id == case_id), None)
        if case is None:
            return False
        self._show(case)
        if case.detailed or case.local_only:
            return True
        self._change(looking=True)
        live, fetched = self.state.live, self.state.fetched.get(case.case_id)
        self._run(lambda: self._detail(case, live, fetched), self._detailed)
        return True

    def _detail(self, case: CaseView, live: bool,
                fetched: datetime | None) -> tuple[CaseView, datetime, bool]:
        """(worker) The case's detail: from the hall while it answers, else the cache."""
        now = self.clock.now()
        if self.reader is not None and live:
            try:
                answer = self.reader.by_number(case.case_number)
                view = CaseView.from_json(answer)
            except (ReadFailed, CaseUnknown, ValueError) as exc:
                log.warning("progress: case detail unreadable: %s", type(exc).__name__)
            else:
                self.cache.store([answer], now)
                return view, now, True
        cached = self.cache.case(case.case_id)
        if cached is not None and cached.view.detailed:
            return cached.view, cached.fetched_at, False
        return case, fetched or now, False

    def _detailed(self, outcome: Outcome[tuple[CaseView, datetime, bool]]) -> None:
        if outcome.error is not None or outcome.value is None:
            log.error("progress: reading a case failed", exc_info=outcome.error)
            self._change(looking=False)
            return
        view, fetched_at, live = outcome.value
        cases = tuple(view if c.case_id == view.case_id else c for c in self.state.cases)
        self._change(looking=False, cases=cases, live=self.state.live and live,
                     fetched={**self.state.fetched, view.case_id: fetched_at})
        if self.state.step is ProgressStep.CASE and self.state.chosen is not None \
                and self.state.chosen.case_id == view.case_id:
            self._show(view)

    def _show(self, case: CaseView) -> None:
        self._change(step=ProgressStep.CASE, chosen=case, collection=self.collection(case))

    def collection(self, case: CaseView) -> Collection:
        """Where the result is collected (the hall's rules, decided here, not on a screen)."""
        if case.status == "collected":
            return Collection(CollectionKind.COLLECTED)
        if case.status == "rejected":
            return Collection(CollectionKind.NONE)
        if case.delivery == "post":
            return Collection(CollectionKind.POST)
        if case.in_locker and case.locker is not None:
            expires = case.locker.expires_at.astimezone(self.tz).date()
            return Collection(CollectionKind.LOCKER, compartment=case.locker.compartment,
                              expires_on=expires)
        if case.status != "ready_for_pickup":
            return Collection(CollectionKind.NOT_YET, windows=self._windows(case))
        return Collection(CollectionKind.WINDOW, windows=self._windows(case))

    def _windows(self, case: CaseView) -> tuple[str, ...]:
        seen: list[str] = []
        for item_id in case.item_ids:
            try:
                windows = self.catalogue.item(item_id).windows
            except KeyError:
                continue
            seen += [w for w in windows if w not in seen]
        return tuple(seen)

    def back_to_list(self) -> None:
        if self.state.cases and len(self.state.cases) > 1:
            self._change(step=ProgressStep.LIST, chosen=None, collection=None)
        else:
            self.start()

    def finish(self) -> None:
        """The citizen is done: the session ends and everything shown is dropped."""
        self.sessions.end("completed")

    def reset(self) -> None:
        self._card_looked_up = False
        super().reset()

    def close(self) -> None:
        super().close()
        if self.reader is not None:
            self.reader.close()

    def _notify(self, kind: ProgressNoticeKind, *, card: CardVerdict | None = None) -> None:
        self._serial += 1
        self._change(notice=ProgressNotice(kind, self._serial, card))


def _merge(local: list[CaseView], views: list[CaseView]) -> tuple[CaseView, ...]:
    """Local cases the hall has not answered for first (newest), then the hall's."""
    known = {v.case_id for v in views}
    return tuple([c for c in local if c.case_id not in known] + views)
