"""The self-service submission (自助申报) journey as a controller: item → guide summary → ID card
→ each material photographed (live guidance, automatic capture, confirm or retake, several
pages) → 容缺 commitment for what is left out → delivery → review → submit → receipt.

``SubmissionFlow`` owns the journey's typed state (``kiosk.flows.submission_state``) and every
decision: which card is acceptable (``kiosk.flows.identity``), what is asked (``kiosk.cases.plan``:
a bundle's materials once), whether a case of the same person and item is still open (then the
citizen confirms and the case is flagged ``repeat_of``), when the camera has failed (no frame for
``camera_silent_seconds`` or the device reported offline: what was captured is kept for the
session, a slip can be printed and the citizen continues at a window), and the commit — off the
UI thread, images fsynced and case + outbox message in one transaction (``kiosk.cases.store``)
before the receipt appears; nothing waits for the network. The views call the steps and draw
``state``. Never imports Kivy; never reads the wall clock (the injected ``Clock`` for hall time,
the caller's monotonic seconds for the preview); never logs a name or an ID number.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from config.schema import Config
from drivers.camera.base import Camera
from drivers.idcard.base import IdCard
from kiosk.cases.model import DELIVERIES, CaseDraft, CommittedCase, FiledMaterial, OpenCase
from kiosk.cases.plan import plan_for
from kiosk.cases.remote import HallCases
from kiosk.cases.store import CaseStore, new_case_id
from kiosk.catalogue import Catalogue, Category, ServiceItem
from kiosk.clock import Clock, local_now
from kiosk.devices import DeviceManager
from kiosk.events import DeviceHealthChanged, EventBus
from kiosk.flows.base import Flow, Outcome, Worker
from kiosk.flows.identity import CardProblem, CardVerdict, check_card
from kiosk.flows.printing import PaperWatch, PrintDesk
from kiosk.flows.queue_state import PrintState
from kiosk.flows.submission_capture import Look, PageCapture
from kiosk.flows.submission_state import Notice, NoticeKind, SubmitState, SubmitStep
from kiosk.i18n import N_, Names
from kiosk.privacy import id_hash, mask_name
from kiosk.receipts.case import case_receipt, continue_slip
from kiosk.session import SessionKeeper

if TYPE_CHECKING:
    import numpy as np

    from drivers.printer.layout import Receipt

log = logging.getLogger(__name__)

HEADING_FAULT = N_("暂时无法提交申报")
FAULT_MESSAGE = N_("系统暂时无法提交申报，请到服务台咨询")


class SubmissionFlow(Flow[SubmitState]):
    name = "submission"

    def __init__(self, *, bus: EventBus, worker: Worker, clock: Clock, config: Config,
                 sessions: SessionKeeper, catalogue: Catalogue, store: CaseStore,
                 devices: DeviceManager, capture: PageCapture, printing: PrintDesk,
                 secret: Callable[[], bytes], hall_cases: HallCases | None = None) -> None:
        super().__init__(bus, worker, SubmitState(), sessions)
        self.clock = clock
        self.config = config
        self.sessions = sessions
        self.catalogue = catalogue
        self.store = store
        self.devices = devices
        self.capture = capture
        self.printing = printing
        self._secret = secret
        self.hall_cases = hall_cases  # the hall server's view, asked when the kiosk knows none
        self.tz = store.tz
        self._serial = 0
        self._attempt = 0
        self.paper = PaperWatch(printing,
                                failed=lambda: self.state.print_state is PrintState.FAILED,
                                ready=lambda: self.state.reprint_ready,
                                answered=self._reprint_ready,
                                generation=lambda: self.generation)
        self._last_frame_at: float | None = None  # monotonic time of the last good frame
        self._unsubscribe.append(bus.subscribe(DeviceHealthChanged, self._health))

    # ---- what the views read ----------------------------------------------------------------
    def hall_now(self) -> datetime:
        return local_now(self.clock, self.tz)

    def categories(self) -> tuple[Category, ...]:
        return self.catalogue.categories

    def items(self, category: str | None = None) -> list[ServiceItem]:
        """The category's items, bundles (一件事) first: one application for several items."""
        code = category or self.state.category
        items = [i for i in self.catalogue.items if i.category == code]
        return sorted(items, key=lambda i: not i.is_bundle)

    def item(self) -> ServiceItem | None:
        return self.state.plan.item if self.state.plan else None

    def deliveries(self) -> tuple[str, ...]:
        """What every filed item allows (a bundle: what all of its items allow)."""
        plan = self.state.plan
        if plan is None:
            return ()
        allowed = [d for d in DELIVERIES
                   if all(d in i.delivery for i in (plan.item, *plan.items))]
        return tuple(allowed) or plan.item.delivery

    def owed_due(self) -> str:
        return self.store.owed_due(self.hall_now().date()).isoformat()

    def promised_date(self) -> str:
        plan = self.state.plan
        if plan is None:
            return ""
        return plan.promised_date(self.hall_now().date(), self.store.calendar).isoformat()

    def camera(self) -> Camera | None:
        device = self.devices.get("camera")
        return device if isinstance(device, Camera) else None

    # ---- item and guide ---------------------------------------------------------------------
    def start(self) -> None:
        """The item step: a fresh application (a card already tapped on home stays)."""
        self.generation += 1
        self._attempt += 1
        first = self.catalogue.categories[0].code if self.catalogue.categories else None
        self._change(**{**_blank(), "step": SubmitStep.ITEM,
                        "category": self.state.category or first})

    def choose_category(self, code: str) -> None:
        if any(c.code == code for c in self.catalogue.categories):
            self._change(category=code)

    def choose_item(self, item_id: str) -> bool:
        try:
            plan = plan_for(self.catalogue, item_id)
        except KeyError:
            log.warning("no item %r in the catalogue", item_id)
            return False
        filed = tuple(FiledMaterial(m) for m in plan.materials)
        self._change(step=SubmitStep.GUIDE, item=item_id, plan=plan, case_id=new_case_id(),
                     filed=filed, material_index=0, commitment_given=False, delivery=None,
                     open_case=None, repeat_confirmed=False)
        return True

    def back_to(self, step: SubmitStep) -> None:
        """返回 onto an earlier step of an application not yet committed (pages are kept)."""
        s = self.state
        if s.plan is None or s.committed is not None or s.step is step:
            return
        if step is SubmitStep.GUIDE:
            self._change(step=step, armed=False, guidance=None, pending_page=None)
        elif step is SubmitStep.COMMITMENT and s.owed:
            self._change(step=step, commitment_given=False)
        elif step is SubmitStep.REVIEW and self.draft() is not None:
            self._change(step=step)

    # ---- identify ---------------------------------------------------------------------------
    def enter_identify(self) -> None:
        """The card step; a card already accepted in this session is used again, never reread."""
        if self.state.plan is None:
            return
        self._change(step=SubmitStep.IDENTIFY, card_problem=None)
        card = self.sessions.current.card
        if card is not None and check_card(card, self.hall_now().date()).accepted:
            self._identified(card)

    def card_inserted(self, card: IdCard) -> None:
        if self.state.step is not SubmitStep.IDENTIFY:
            return
        verdict = check_card(card, self.hall_now().date())
        if not verdict.accepted:
            self.sessions.current.card = None
            self._change(card_problem=verdict, masked_name="", person_hash="")
            return
        self.sessions.current.card = card
        self._identified(card)

    def card_unreadable(self) -> None:
        if self.state.step is SubmitStep.IDENTIFY:
            self._change(card_problem=CardVerdict(CardProblem.UNREADABLE))

    def _identified(self, card: IdCard) -> None:
        """Hash the number (never stored clear), then look for an open case off the UI thread."""
        plan = self.state.plan
        assert plan is not None
        person = id_hash(card.id_number, self._secret())
        self._change(card_problem=None, masked_name=mask_name(card.name), person_hash=person,
                     checking=True)
        self._run(lambda: self._open_cases(person, plan.item_ids), self._checked)

    def _open_cases(self, person: str, item_ids: tuple[str, ...]) -> list[OpenCase]:
        """This kiosk's (or, on a shared database, the hall's kiosks') record first; the hall
        server (short timeout, failures mean "none known") when that knows none."""
        found = self.store.open_cases(person, item_ids)
        if not found and self.hall_cases is not None:
            found = self.hall_cases.open_cases(person, item_ids)
        return found

    def _checked(self, outcome: Outcome[list[OpenCase]]) -> None:
        if outcome.error is not None:
            # the local database is the commit target too: a fault here is a fault there
            log.error("open-case check failed: %s", type(outcome.error).__name__)
            self._change(checking=False)
            self._notify(NoticeKind.FAULT, HEADING_FAULT, FAULT_MESSAGE)
            return
        found = outcome.value or []
        if found:
            log.info("submission: an open case of this applicant for the item exists")
            self._change(step=SubmitStep.REPEAT, checking=False, open_case=found[0])
            return
        self._change(checking=False)
        self.enter_capture()

    def confirm_repeat(self) -> None:
        """继续申报: filed again on purpose; the case is flagged for supervisors."""
        if self.state.step is SubmitStep.REPEAT and self.state.open_case is not None:
            self._change(repeat_confirmed=True)
            self.enter_capture()

    # ---- capture ----------------------------------------------------------------------------
    def enter_capture(self, index: int | None = None) -> None:
        """The camera for material ``index`` (default: the current one)."""
        state = self.state
        if state.plan is None or not state.person_hash:
            return
        i = state.material_index if index is None else index
        if not 0 <= i < len(state.filed):
            self._after_materials()
            return
        self.capture.reset()
        self._last_frame_at = None
        camera_ok = self.camera() is not None and self.devices.is_usable("camera")
        self._change(step=SubmitStep.CAPTURE if camera_ok else SubmitStep.CAMERA_FAILED,
                     material_index=i, armed=True, guidance=None, pending_page=None)

    def resume_capture(self) -> None:
        """Back onto the camera from a later step: the last material, its pages kept."""
        s = self.state
        if s.step in (SubmitStep.CAPTURE, SubmitStep.CONFIRM_PAGE) or not s.filed:
            return
        self.enter_capture(min(s.material_index, len(s.filed) - 1))

    def capture_tick(self, monotonic_now: float) -> np.ndarray | None:
        """Called by the preview's timer: the newest frame for the view to draw (or None), and
        — when armed and the detector is free — the same frame handed to the detector."""
        if self.state.step is not SubmitStep.CAPTURE:
            return None
        camera = self.camera()
        frame: np.ndarray | None = None
        if camera is not None:
            try:
                frame = camera.latest_frame()
            except Exception as exc:  # a driver fault mid-capture is a failed camera
                log.warning("camera frame failed: %s", type(exc).__name__)
                frame = None
        if frame is None:
            if self._last_frame_at is None:
                self._last_frame_at = monotonic_now  # the silence starts counting now
            elif monotonic_now - self._last_frame_at >= \
                    self.config.submission.camera_silent_seconds:
                self._camera_failed()
            return None
        self._last_frame_at = monotonic_now
        if self.state.armed:
            generation, index = self.generation, self.state.material_index
            self.capture.look(frame, monotonic_now,
                              lambda o: self._looked(o, generation, index))
        return frame

    def _looked(self, outcome: Outcome[Look], generation: int, index: int) -> None:
        state = self.state
        if generation != self.generation or state.step is not SubmitStep.CAPTURE \
                or state.material_index != index or not state.armed:
            return  # the citizen moved on while this frame was being looked at
        if outcome.error is not None or outcome.value is None:
            log.warning("page detection failed: %s", type(outcome.error).__name__)
            return
        look = outcome.value
        if look.page is not None:
            self._change(step=SubmitStep.CONFIRM_PAGE, guidance=look.guidance,
                         pending_page=look.page, armed=False)
        else:
            self._change(guidance=look.guidance)

    def accept_page(self) -> None:
        """使用此页: the page joins the material; the preview waits for the next page."""
        state = self.state
        current = state.current
        if state.step is not SubmitStep.CONFIRM_PAGE or state.pending_page is None \
                or current is None:
            return
        filed = list(state.filed)
        filed[state.material_index] = FiledMaterial(current.request,
                                                    (*current.pages, state.pending_page))
        self._change(step=SubmitStep.CAPTURE, filed=tuple(filed), pending_page=None,
                     armed=False, guidance=None)

    def retake(self) -> None:
        """重拍: drop the shown page and look again."""
        if self.state.step is SubmitStep.CONFIRM_PAGE:
            self.capture.reset()
            self._change(step=SubmitStep.CAPTURE, pending_page=None, armed=True, guidance=None)

    def next_page(self) -> None:
        """拍下一页: the page on the desk was turned; look again."""
        state = self.state
        current = state.current
        if state.step is not SubmitStep.CAPTURE or current is None:
            return
        if len(current.pages) >= self.config.submission.max_pages_per_material:
            return
        self.capture.reset()
        self._change(armed=True, guidance=None)

    def remove_last_page(self) -> None:
        state = self.state
        current = state.current
        if state.step is not SubmitStep.CAPTURE or current is None or not current.pages:
            return
        filed = list(state.filed)
        filed[state.material_index] = FiledMaterial(current.request, current.pages[:-1])
        self._change(filed=tuple(filed))

    def can_leave_out(self) -> bool:
        """A material the item allows to follow later (容缺), not yet photographed."""
        current = self.state.current
        return current is not None and not current.request.required and not current.pages

    def next_material(self) -> bool:
        """下一项材料: the current one has its pages (or may follow later under commitment)."""
        state = self.state
        current = state.current
        if state.step is not SubmitStep.CAPTURE or current is None:
            return False
        if not current.pages and current.request.required:
            return False
        self.enter_capture(state.material_index + 1)
        return True

    def _after_materials(self) -> None:
        if self.state.owed:
            self._change(step=SubmitStep.COMMITMENT, commitment_given=False)
        else:
            self.enter_delivery()

    def _camera_failed(self) -> None:
        if self.state.step in (SubmitStep.CAPTURE, SubmitStep.CONFIRM_PAGE):
            log.warning("submission: the camera failed mid-capture; captured pages kept")
            self._change(step=SubmitStep.CAMERA_FAILED, armed=False, guidance=None)

    def _health(self, event: DeviceHealthChanged) -> None:
        if event.kind == "camera" and not self.devices.is_usable("camera"):
            self._camera_failed()
        if event.kind == "printer" and self.state.print_state is PrintState.FAILED:
            self.paper.ask()

    def retry_camera(self) -> bool:
        """摄像头已恢复: back to the same material, its pages kept."""
        if self.state.step is not SubmitStep.CAMERA_FAILED:
            return False
        camera = self.camera()
        if camera is None or not self.devices.is_usable("camera"):
            return False
        try:
            answering = camera.latest_frame() is not None  # back means frames arrive again
        except Exception:
            answering = False
        if not answering:
            return False
        self.enter_capture()
        return self.state.step is SubmitStep.CAPTURE

    def print_slip(self) -> None:
        """What was photographed, on paper, for the window to carry on."""
        state = self.state
        if state.plan is None:
            return
        captured = [(Names(m.request.name, m.request.name_en), len(m.pages))
                    for m in state.filed if m.pages]
        missing = [Names(m.request.name, m.request.name_en) for m in state.filed if not m.pages]
        slip = continue_slip(self.config.hall, Names(state.plan.item.name,
                                                     state.plan.item.name_en),
                             captured, missing, self.hall_now(), self.sessions.current.language)
        self._print(slip)

    # ---- commitment, delivery, review -------------------------------------------------------
    def give_commitment(self) -> None:
        """我承诺按期补交: only materials the item allows to follow later may be owed."""
        if self.state.step is SubmitStep.COMMITMENT and not self.state.missing_required:
            self._change(commitment_given=True)
            self.enter_delivery()

    def back_to_owed(self) -> None:
        """去拍摄: photograph an owed material after all instead of promising it."""
        for i, m in enumerate(self.state.filed):
            if m.owed:
                self.enter_capture(i)
                return

    def enter_delivery(self) -> None:
        if self.state.plan is None:
            return
        choices = self.deliveries()
        delivery = self.state.delivery if self.state.delivery in choices else None
        self._change(step=SubmitStep.DELIVERY, delivery=delivery)

    def choose_delivery(self, delivery: str) -> None:
        if self.state.step is SubmitStep.DELIVERY and delivery in self.deliveries():
            self._change(delivery=delivery, step=SubmitStep.REVIEW)

    def draft(self) -> CaseDraft | None:
        s = self.state
        if s.plan is None or s.case_id is None or not s.person_hash or s.delivery is None:
            return None
        if s.missing_required or (s.owed and not s.commitment_given):
            return None
        return CaseDraft(s.case_id, s.plan, s.person_hash, s.masked_name, s.delivery, s.filed,
                         s.open_case if s.repeat_confirmed else None)

    def submit(self) -> bool:
        """提交: commit off the UI thread; a second tap while submitting is ignored."""
        if self.state.step is not SubmitStep.REVIEW or self.state.submitting:
            return False
        draft = self.draft()
        if draft is None:
            return False
        self._change(submitting=True)
        self._run(lambda: self.store.commit(draft), self._committed)
        return True

    def _committed(self, outcome: Outcome[CommittedCase]) -> None:
        if outcome.error is not None or outcome.value is None:
            log.error("submission commit failed", exc_info=outcome.error)
            self._change(submitting=False)
            self._notify(NoticeKind.FAULT, HEADING_FAULT, FAULT_MESSAGE)
            return
        self._change(step=SubmitStep.RECEIPT, submitting=False, committed=outcome.value)
        self.print_receipt()

    # ---- printing ---------------------------------------------------------------------------
    def print_receipt(self) -> None:
        committed = self.state.committed
        if committed is None:
            return
        self._print(case_receipt(committed.receipt, self.config.hall,
                                 self.sessions.current.language))

    def _print(self, receipt: Receipt) -> None:
        self._attempt += 1
        attempt, generation = self._attempt, self.generation
        self._change(print_state=PrintState.PRINTING, reprint_ready=False)

        def done(error: BaseException | None) -> None:
            if attempt == self._attempt and generation == self.generation:
                self._printed(error)

        self.printing.print_receipt(receipt, done)

    def reprint(self) -> bool:
        if self.state.print_state is not PrintState.FAILED or not self.state.reprint_ready:
            return False
        if self.state.committed is not None:
            self.print_receipt()
        else:
            self.print_slip()
        return True

    def _printed(self, error: BaseException | None) -> None:
        if error is None:
            self._change(print_state=PrintState.PRINTED)
            return
        self._change(print_state=PrintState.FAILED, reprint_ready=False)
        self.paper.ask()

    def _reprint_ready(self, usable: bool) -> None:
        self._change(reprint_ready=usable)

    def tick(self, monotonic_now: float) -> None:
        """While a print has failed, ask the printer every few seconds."""
        self.paper.tick(monotonic_now)

    # ---- leaving ----------------------------------------------------------------------------
    def finish(self) -> None:
        """完成, 放弃申报 or leaving for a window: the session ends, every page in memory is
        dropped (a committed case's images are on disk and belong to the case)."""
        self.sessions.end("completed" if self.state.committed else "abandoned")

    def _notify(self, kind: NoticeKind, heading: str, message: str, **params: object) -> None:
        self._serial += 1
        self._change(notice=Notice(kind, heading, message, self._serial, params))

    def reset(self) -> None:
        self._attempt += 1
        self.paper.reset()
        self._last_frame_at = None
        self.capture.reset()
        super().reset()


def _blank() -> dict[str, object]:
    """Every field of a fresh application (the category shown stays)."""
    fresh = SubmitState()
    return {k: getattr(fresh, k) for k in SubmitState.__dataclass_fields__ if k != "category"}

