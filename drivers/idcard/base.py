"""The resident ID card reader interface and what a card holds.

The reader is polled by a worker thread (``read_card``); a card that stays on the reader must not
be read twice, so the interface also tells when the card has been removed.
"""

from __future__ import annotations

import enum
from abc import abstractmethod
from dataclasses import dataclass, field
from datetime import date

from drivers.base import Device, DeviceError


class CardType(enum.StrEnum):
    RESIDENT = "resident"
    HK_MACAO_TAIWAN = "hk_macao_taiwan"
    FOREIGN_PERMANENT = "foreign_permanent"
    FOREIGN_PERMANENT_2023 = "foreign_permanent_2023"


@dataclass(frozen=True)
class IdCard:
    """Everything read from one card. ``valid_until`` is ``None`` for 长期 (no expiry)."""

    card_type: CardType
    name: str
    sex: str  # 男 / 女
    birth_date: date
    id_number: str
    issuer: str
    valid_from: date
    valid_until: date | None
    address: str = ""
    nation: str | None = None  # resident cards: 汉, 回, …
    name_en: str | None = None  # foreign cards
    nationality: str | None = None  # foreign cards: ISO 3166 alpha-3
    photo_wlt: bytes | None = field(default=None, repr=False)
    photo_bmp: bytes | None = field(default=None, repr=False)
    id_number_valid: bool = True

    def is_expired(self, today: date) -> bool:
        return self.valid_until is not None and self.valid_until < today

    def age_on(self, today: date) -> int:
        years = today.year - self.birth_date.year
        if (today.month, today.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def to_json(self) -> dict[str, object]:
        """The technician command line's JSON contract (unmasked: diagnostics only)."""
        out: dict[str, object] = {
            "card_type": self.card_type.value,
            "name": self.name,
            "sex": self.sex,
            "birth_date": self.birth_date.isoformat(),
            "address": self.address,
            "id_number": self.id_number,
            "issuer": self.issuer,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else "长期",
            "photo": "decoded" if self.photo_bmp else "not_decoded",
            "id_number_valid": self.id_number_valid,
        }
        if self.card_type is CardType.RESIDENT:
            out["nation"] = self.nation
        else:
            out["name_en"] = self.name_en
            if self.card_type in (CardType.FOREIGN_PERMANENT, CardType.FOREIGN_PERMANENT_2023):
                out["nationality"] = self.nationality
        return out


class CardReadError(DeviceError):
    """A card is on the reader but could not be read; the citizen should try again."""

    message_zh = "身份证读取失败，请重新放置身份证"


class IdCardReader(Device):
    kind = "idcard"

    @abstractmethod
    def read_card(self, timeout: float) -> IdCard | None:
        """Wait up to ``timeout`` seconds for a *new* card and read it; ``None`` if none came.

        A card already read stays "seen" until ``card_present`` reports it removed.
        Raises ``CardReadError`` or another ``DeviceError``.
        """

    @abstractmethod
    def card_present(self) -> bool:
        """One poll: is a card on the reader now? Clears the "seen" mark once it is gone."""
