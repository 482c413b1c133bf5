"""The typed state of the self-service submission (自助申报) journey: what the screens draw.

Frozen dataclasses and enums, replaced whole by ``SubmissionFlow._change``. The card stays in the
``CitizenSession``; here are the masked name and the person hash (an HMAC, useless without the
hall secret) and the photographed pages as JPEG bytes in memory — nothing of an unfinished
application is on disk, and ``reset`` drops all of it when the session ends. Never imports Kivy.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from kiosk.cases.model import CommittedCase, FiledMaterial, OpenCase
from kiosk.cases.plan import MaterialRequest, SubmissionPlan
from kiosk.flows.identity import CardVerdict
from kiosk.flows.queue_state import PrintState


class SubmitStep(enum.StrEnum):
    ITEM = "item"  # choose the item or bundle (一件事)
    GUIDE = "guide"  # the item's summary: conditions, materials, time limit
    IDENTIFY = "identify"  # ID card tap (read once, never typed)
    REPEAT = "repeat"  # an open case of this person for this item: confirm filing again
    CAPTURE = "capture"  # the camera preview for the current material
    CONFIRM_PAGE = "confirm_page"  # the straightened page: use it or retake
    COMMITMENT = "commitment"  # 容缺承诺 for the materials left out, with the deadline
    DELIVERY = "delivery"  # window, locker or post
    REVIEW = "review"  # everything once more; 提交
    RECEIPT = "receipt"  # committed: the receipt on screen and on paper
    CAMERA_FAILED = "camera_failed"  # what was captured is kept; continue at a window


class NoticeKind(enum.StrEnum):
    INFO = "info"  # told once in a popup, the citizen carries on
    FAULT = "fault"  # a system fault: the error page, nothing half-made


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    heading: str  # msgid
    message: str  # msgid
    serial: int
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class LiveGuidance:
    """The last verdict on the preview: what to tell the citizen and where the page is."""

    verdict: str  # drivers.camera Verdict value, or "hold_still"
    message: str  # msgid
    corners: tuple[tuple[float, float], ...] | None  # TL, TR, BR, BL in frame pixels
    steady: float  # 0..1: how close an automatic capture is
    frame_size: tuple[int, int]  # (width, height) of the frame the corners belong to

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


@dataclass(frozen=True)
class SubmitState:
    step: SubmitStep = SubmitStep.ITEM
    category: str | None = None  # the category whose items are listed
    item: str | None = None  # the chosen item or bundle id
    plan: SubmissionPlan | None = None
    case_id: str | None = None  # uuid4 made when an item is chosen
    card_problem: CardVerdict | None = None
    masked_name: str = ""
    person_hash: str = ""
    checking: bool = False  # looking for an open case of this person
    open_case: OpenCase | None = None
    repeat_confirmed: bool = False
    filed: tuple[FiledMaterial, ...] = ()  # one per plan material, in plan order
    material_index: int = 0
    armed: bool = True  # the preview takes the page by itself when steady
    guidance: LiveGuidance | None = None
    pending_page: bytes | None = None  # JPEG of the straightened page awaiting 使用此页
    commitment_given: bool = False
    delivery: str | None = None
    submitting: bool = False
    committed: CommittedCase | None = None
    print_state: PrintState = PrintState.IDLE
    reprint_ready: bool = False
    notice: Notice | None = None

    @property
    def material(self) -> MaterialRequest | None:
        if self.plan is None or not 0 <= self.material_index < len(self.plan.materials):
            return None
        return self.plan.materials[self.material_index]

    @property
    def current(self) -> FiledMaterial | None:
        if not 0 <= self.material_index < len(self.filed):
            return None
        return self.filed[self.material_index]

    @property
    def owed(self) -> tuple[FiledMaterial, ...]:
        return tuple(m for m in self.filed if m.owed)

    @property
    def missing_required(self) -> tuple[FiledMaterial, ...]:
        return tuple(m for m in self.filed if m.owed and m.request.required)
