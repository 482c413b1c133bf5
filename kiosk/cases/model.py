"""The submission's records as plain data: a draft being filed, a committed case, its receipt.

A draft carries the page images as encoded JPEG bytes in memory (nothing of an unfinished
application is on disk, so an abandoned session leaves nothing behind); a committed case and its
receipt carry only what may be shown or printed: the masked name, never a clear name or ID
number. Never imports Kivy or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kiosk.cases.plan import MaterialRequest, SubmissionPlan
from kiosk.i18n import N_, Names

DELIVERIES: tuple[str, ...] = ("window", "locker", "post")
DELIVERY_LABELS: dict[str, str] = {  # msgids
    "window": N_("到窗口领取"),
    "locker": N_("24小时文件柜领取"),
    "post": N_("邮寄送达"),
}


@dataclass(frozen=True)
class FiledMaterial:
    """One material as filed: its photographed pages, or owed under a commitment (容缺)."""

    request: MaterialRequest
    pages: tuple[bytes, ...] = ()  # JPEG images, in page order

    @property
    def owed(self) -> bool:
        return not self.pages


@dataclass(frozen=True)
class OpenCase:
    """An earlier case of the same person for an item asked again, still open."""

    case_id: str
    local_ref: str
    item_ids: tuple[str, ...]
    submitted_at: datetime
    server_number: str | None  # known once the hall server has answered for it

    @property
    def number(self) -> str:
        return self.server_number or self.local_ref


@dataclass(frozen=True)
class CaseDraft:
    case_id: str  # uuid4, made when the application starts; also the images' folder name
    plan: SubmissionPlan
    person_hash: str
    masked_name: str
    delivery: str  # one of DELIVERIES
    materials: tuple[FiledMaterial, ...]
    repeat_of: OpenCase | None = None  # the citizen confirmed filing again

    @property
    def page_count(self) -> int:
        return sum(len(m.pages) for m in self.materials)


@dataclass(frozen=True)
class ReceivedLine:
    name: Names
    pages: int


@dataclass(frozen=True)
class OwedLine:
    name: Names
    due: date


@dataclass(frozen=True)
class CaseReceipt:
    """Everything the receipt says, on screen and on paper (一次性告知 in ``owed``)."""

    case_id: str
    local_ref: str  # the kiosk's own reference; the official number follows from the server
    submitted_at: datetime  # hall-local
    masked_name: str
    bundle: Names | None
    items: tuple[Names, ...]
    received: tuple[ReceivedLine, ...]
    owed: tuple[OwedLine, ...]
    promised_date: date
    delivery: str
    progress_url: str  # what the QR carries: progress_url + "/" + case token
    repeat_of: str | None  # the earlier case's number when this is a confirmed repeat


@dataclass(frozen=True)
class CommittedCase:
    case_id: str
    local_ref: str
    files_dir: str
    receipt: CaseReceipt
