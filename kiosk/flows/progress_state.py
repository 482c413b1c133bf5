"""The typed state of the progress lookup (办件查询) journey: what the screens draw, nothing more.

Frozen dataclasses and enums, replaced whole by ``ProgressFlow._change``. Cases carry the masked
name only; the ID card used for a lookup is never kept here (only the verdict on a refused one).
Never imports Kivy.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from kiosk.flows.identity import CardVerdict
from kiosk.progress.views import CaseView


class ProgressStep(enum.StrEnum):
    START = "start"  # scan the receipt QR or tap the ID card
    LIST = "list"  # the person's cases
    CASE = "case"  # one case: status, timeline, owed list, how to collect


class ProgressNoticeKind(enum.StrEnum):
    NOT_A_RECEIPT = "not_a_receipt"  # the code is not a receipt of this hall (or forged)
    NOT_FOUND = "not_found"  # the hall answered: no such case / no cases for this card
    UNREACHABLE = "unreachable"  # the hall did not answer and nothing is known here
    CARD = "card"  # a card the lookup cannot use
    FAULT = "fault"  # something broke on the kiosk itself


@dataclass(frozen=True)
class ProgressNotice:
    kind: ProgressNoticeKind
    serial: int
    card: CardVerdict | None = None


class CollectionKind(enum.StrEnum):
    NOT_YET = "not_yet"  # the result is not ready
    WINDOW = "window"  # collect at a window of the item
    LOCKER = "locker"  # waiting in a locker compartment; the code came by SMS
    POST = "post"  # posted to the applicant
    COLLECTED = "collected"  # already collected
    NONE = "none"  # rejected: nothing to collect


@dataclass(frozen=True)
class Collection:
    """Where and how the result is collected, decided by the flow from the case."""

    kind: CollectionKind
    windows: tuple[str, ...] = ()
    compartment: int | None = None
    expires_on: date | None = None  # hall-local day the locker code expires


@dataclass(frozen=True)
class ProgressState:
    step: ProgressStep = ProgressStep.START
    looking: bool = False  # a lookup is running: the spinner shows, taps are ignored
    by_card: bool = False  # the list came from an ID card (else from a receipt QR)
    masked_name: str = ""  # of the card that was tapped
    cases: tuple[CaseView, ...] = ()
    chosen: CaseView | None = None
    collection: Collection | None = None  # for ``chosen``
    live: bool = True  # False: the hall did not answer; what is shown is the last known state
    # When the hall last answered for each shown case (by case id); absent for local cases.
    fetched: Mapping[str, datetime] = field(default_factory=dict)
    standalone: bool = False  # no hall server configured: only this kiosk's own cases exist
    notice: ProgressNotice | None = None
