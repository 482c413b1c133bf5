"""The typed state of the rating (好差评) journey, and the hall's words for levels and reasons.

Five levels (national rules of 2019): 5 非常满意 … 1 非常不满意; the bottom two are bad ratings.
The optional reasons are the on-site dimensions (overall, efficiency, service level, attitude),
each worded for a good rating and for one that could be better. Frozen dataclasses and enums
only. Never imports Kivy; holds nothing about the rater.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kiosk.i18n import N_


class RatingStep(enum.StrEnum):
    SCAN = "scan"  # scan the ticket or the receipt QR
    FACES = "faces"  # five faces, optional reasons, contact question for a bad rating
    THANKS = "thanks"  # committed: 谢谢您的评价


LEVELS: tuple[tuple[int, str], ...] = (
    (5, N_("非常满意")), (4, N_("满意")), (3, N_("基本满意")), (2, N_("不满意")),
    (1, N_("非常不满意")))
LEVEL_LABELS = dict(LEVELS)
BAD_LEVELS = (1, 2)


@dataclass(frozen=True)
class Reason:
    dimension: str  # overall / efficiency / service / attitude (the hall contract's keys)
    label: str  # msgid; sent to the hall in Chinese, as staff read it


GOOD_REASONS: tuple[Reason, ...] = (
    Reason("overall", N_("事情办成了")), Reason("efficiency", N_("办得快，等得短")),
    Reason("service", N_("指引清楚，流程规范")), Reason("attitude", N_("态度热情耐心")))
POOR_REASONS: tuple[Reason, ...] = (
    Reason("overall", N_("事情没有办成")), Reason("efficiency", N_("等候或办理时间太长")),
    Reason("service", N_("指引不清，流程不规范")), Reason("attitude", N_("工作人员态度不好")))


def reasons_for(level: int | None) -> tuple[Reason, ...]:
    if level is None:
        return ()
    return GOOD_REASONS if level >= 4 else POOR_REASONS


class RatingNoticeKind(enum.StrEnum):
    NOT_A_CODE = "not_a_code"  # not a ticket or receipt of this hall
    ALREADY_RATED = "already_rated"  # rated in another session
    FAULT = "fault"  # the kiosk could not save it


@dataclass(frozen=True)
class RatingNotice:
    kind: RatingNoticeKind
    serial: int


@dataclass(frozen=True)
class RatingState:
    step: RatingStep = RatingStep.SCAN
    target_kind: str | None = None  # "ticket" or "case"
    target_id: str | None = None
    level: int | None = None
    reasons: tuple[str, ...] = ()  # msgids of the tapped reasons, in tap order
    contact_wanted: bool = False
    checking: bool = False  # asking whether the target was rated already
    saving: bool = False  # the commit is running: taps are ignored
    replaced: bool = False  # the thanks follow a change of this session's rating
    notice: RatingNotice | None = None

    @property
    def bad(self) -> bool:
        return self.level in BAD_LEVELS
