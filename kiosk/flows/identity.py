"""Whether an ID card tapped on the reader can be used: the one rule, for every journey.

A card is refused when it has expired (against the hall's date from the injected clock, never the
computer's) or when its ID number fails the GB 11643 check digit (a misread or a fake). Every
flow and the app's default reaction ask here; no screen decides. Returns a verdict, never raises,
never logs the card's contents.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from drivers.idcard.base import IdCard
from kiosk.clock import Clock, local_now


class CardProblem(enum.StrEnum):
    EXPIRED = "expired"
    BAD_CHECK_DIGIT = "bad_check_digit"
    UNREADABLE = "unreadable"  # on the reader but could not be read (set by flows, not here)


@dataclass(frozen=True)
class CardVerdict:
    problem: CardProblem | None
    valid_until: date | None = None  # for "expired on …"; no personal data

    @property
    def accepted(self) -> bool:
        return self.problem is None

    @property
    def until_text(self) -> str:
        return self.valid_until.isoformat() if self.valid_until else ""


ACCEPTED = CardVerdict(None)


def check_card(card: IdCard, today: date) -> CardVerdict:
    """Expired first (the citizen can fix that with another card), then the check digit."""
    if card.is_expired(today):
        return CardVerdict(CardProblem.EXPIRED, card.valid_until)
    if not card.id_number_valid:
        return CardVerdict(CardProblem.BAD_CHECK_DIGIT)
    return ACCEPTED


def check_card_now(card: IdCard, clock: Clock, tz: ZoneInfo) -> CardVerdict:
    return check_card(card, local_now(clock, tz).date())


def offers_elder_mode(card: IdCard, today: date, min_age: int) -> bool:
    """Whether to offer elder mode (bigger text, more time) to the holder of ``card``: at the
    green channel's age. Only an offer: the citizen decides."""
    born = card.birth_date
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return age >= min_age
