"""The typed state of the service guide (办事指南): what the guide's screens draw, nothing more.

Frozen dataclasses and enums only, replaced whole by ``GuideFlow._change``. A guide is the same
for every citizen: there is nothing personal here to wipe, but a session's end still takes the
guide back to its start so the next citizen does not find the last one's page. Never imports Kivy.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class GuideStep(enum.StrEnum):
    CATEGORY = "category"  # 社会民生 / 经营管理 / 工程建设
    ITEMS = "items"  # the category's items, filtered by a pinyin initial
    ITEM = "item"  # one item's page


class SlipState(enum.StrEnum):
    IDLE = "idle"
    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"  # said why (``SlipProblem``); print again once the printer answers


class SlipProblem(enum.StrEnum):
    PAPER_OUT = "paper_out"  # the roll is empty: staff are told, the QR on screen still works
    OFFLINE = "offline"  # no printer, unplugged or faulty


@dataclass(frozen=True)
class GuideState:
    step: GuideStep = GuideStep.CATEGORY
    category: str | None = None  # category code
    letter: str = ""  # pinyin initial filtering the item list; "" = every item
    item: str | None = None  # the item whose page is shown
    trail: tuple[str, ...] = ()  # items left through a bundle link; Back walks them back
    return_to: str | None = None  # the screen of another flow the guide was opened from
    slip: SlipState = SlipState.IDLE
    slip_problem: SlipProblem | None = None
    reprint_ready: bool = False  # after a failure: the printer answers again
