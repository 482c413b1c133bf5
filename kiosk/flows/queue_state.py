"""The typed state of the queue-ticket (取号) journey: what the screens draw, nothing more.

Frozen dataclasses and enums only, replaced whole by ``QueueFlow._change``. The card itself stays
in the ``CitizenSession`` (one place to wipe); here is only the verdict on the last card and the
masked name. No clear ID number, no clear name. Never imports Kivy.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from kiosk.flows.identity import CardVerdict
from kiosk.queue.errors import QueueRefusal
from kiosk.queue.tickets import IssuedTicket, WaitEstimate


class QueueStep(enum.StrEnum):
    CATEGORY = "category"  # choose 社会民生 / 经营管理 / … or appointment check-in
    ITEM = "item"  # choose the service item of the category
    IDENTIFY = "identify"  # optional ID card tap, declared green-channel group
    CONFIRM = "confirm"  # the summary with the estimate; 确认取号
    TICKET = "ticket"  # the committed ticket, shown and printed
    APPOINTMENT = "appointment"  # check-in by QR code or ID card


class PrintState(enum.StrEnum):
    IDLE = "idle"
    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"  # the ticket stays on screen; reprint once the printer answers again


class NoticeKind(enum.StrEnum):
    REFUSED = "refused"  # a QueueRefusal: said in full, the citizen may try something else
    CARD = "card"  # a card the step cannot use (appointment check-in)
    FAULT = "fault"  # a system fault: the error page, never a half-made ticket


@dataclass(frozen=True)
class Notice:
    """Something to tell the citizen once. ``serial`` tells a new notice from a redraw."""

    kind: NoticeKind
    heading: str  # msgid
    serial: int
    refusal: QueueRefusal | None = None
    card: CardVerdict | None = None


@dataclass(frozen=True)
class ItemHours:
    """Whether an item takes numbers right now, and when it opens next (local hall time)."""

    open: bool
    opens_at: datetime | None
    now: datetime


@dataclass(frozen=True)
class QueueState:
    step: QueueStep = QueueStep.CATEGORY
    category: str | None = None  # category code
    item: str | None = None  # service item id
    waiting: Mapping[str, int] | None = None  # per category; None until counted
    card_problem: CardVerdict | None = None  # the last card refused at the identify step
    masked_name: str = ""  # of the accepted card
    declared_group: str | None = None
    priority_reason: str | None = None  # the green channel a ticket taken now would get
    estimate: WaitEstimate | None = None  # None while being read (or when it cannot be)
    estimating: bool = False
    issuing: bool = False  # a commit (issue or check-in) is running: taps are ignored
    ticket: IssuedTicket | None = None
    print_state: PrintState = PrintState.IDLE
    reprint_ready: bool = False
    notice: Notice | None = None
    # the shown ticket was taken earlier (a daily-limit refusal, its QR scanned): people ahead
    # are as of now, and a print is a copy marked 补打
    reissued: bool = False
    opening: bool = False  # a scanned ticket is being looked up
