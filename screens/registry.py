"""The screens the kiosk knows and the tiles the home screen offers, both as data.

``SCREENS`` maps a screen name to the module and class that build it; the module is imported
(and its ``.kv`` loaded) the first time the screen is needed, so start-up stays fast. ``TILES``
describes each capability on the home screen; a tile shows only when its target screen is
registered; whether it is offered, enabled or disabled with a reason is the kiosk mode's verdict
(``kiosk.mode.ModeKeeper``: devices fitted and working, hall hours, maintenance).
Later flows (queue ticket, service guide, locker, …) add one entry here and one in
``screens.navigation.PARENT``. This module must never import Kivy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kiosk.mode import Capability
from kiosk.startup import KioskCore


@dataclass(frozen=True)
class ScreenSpec:
    module: str
    cls: str


SCREENS: dict[str, ScreenSpec] = {
    "home": ScreenSpec("screens.home", "HomeScreen"),
    "error": ScreenSpec("screens.error", "ErrorScreen"),
    "help": ScreenSpec("screens.help", "HelpScreen"),
    # 取号 (queue ticket) flow
    "queue": ScreenSpec("screens.queue", "QueueScreen"),
    "queue_items": ScreenSpec("screens.queue_items", "QueueItemsScreen"),
    "queue_identify": ScreenSpec("screens.queue_identify", "QueueIdentifyScreen"),
    "queue_confirm": ScreenSpec("screens.queue_confirm", "QueueConfirmScreen"),
    "queue_ticket": ScreenSpec("screens.queue_ticket", "QueueTicketScreen"),
    "queue_appointment": ScreenSpec("screens.queue_appointment", "QueueAppointmentScreen"),
    # 办事指南 (service guide)
    "guide": ScreenSpec("screens.guide", "GuideScreen"),
    "guide_items": ScreenSpec("screens.guide_items", "GuideItemsScreen"),
    "guide_item": ScreenSpec("screens.guide_item", "GuideItemScreen"),
    # 自助申报 (self-service submission) flow
    "submit": ScreenSpec("screens.submit", "SubmitItemsScreen"),
    "submit_guide": ScreenSpec("screens.submit_guide", "SubmitGuideScreen"),
    "submit_identify": ScreenSpec("screens.submit_identify", "SubmitIdentifyScreen"),
    "submit_repeat": ScreenSpec("screens.submit_identify", "SubmitRepeatScreen"),
    "submit_capture": ScreenSpec("screens.submit_capture", "SubmitCaptureScreen"),
    "submit_camera": ScreenSpec("screens.submit_capture", "SubmitCameraScreen"),
    "submit_commitment": ScreenSpec("screens.submit_steps", "SubmitCommitmentScreen"),
    "submit_delivery": ScreenSpec("screens.submit_steps", "SubmitDeliveryScreen"),
    "submit_review": ScreenSpec("screens.submit_steps", "SubmitReviewScreen"),
    "submit_receipt": ScreenSpec("screens.submit_receipt", "SubmitReceiptScreen"),
    # 办件查询 (progress lookup)
    "progress": ScreenSpec("screens.progress", "ProgressScreen"),
    "progress_list": ScreenSpec("screens.progress_list", "ProgressListScreen"),
    "progress_case": ScreenSpec("screens.progress_case", "ProgressCaseScreen"),
    # 好差评 (ratings)
    "rating": ScreenSpec("screens.rating", "RatingScreen"),
    "rating_faces": ScreenSpec("screens.rating_faces", "RatingFacesScreen"),
    "rating_thanks": ScreenSpec("screens.rating_thanks", "RatingThanksScreen"),
    # 文件柜 (document locker): pickup, night drop-off, staff
    "locker": ScreenSpec("screens.locker", "LockerScreen"),
    "locker_pickup": ScreenSpec("screens.locker_pickup", "LockerPickupScreen"),
    "locker_card": ScreenSpec("screens.locker_card", "LockerCardScreen"),
    "locker_dropoff": ScreenSpec("screens.locker_dropoff", "LockerDropoffScreen"),
    "locker_door": ScreenSpec("screens.locker_door", "LockerDoorScreen"),
    "locker_staff": ScreenSpec("screens.locker_staff", "LockerStaffScreen"),
    # the technician's maintenance mode (hidden corner on home + PIN)
    "maint_pin": ScreenSpec("screens.maint_pin", "MaintPinScreen"),
    "maint": ScreenSpec("screens.maint", "MaintScreen"),
}


def register_screen(name: str, module: str, cls: str) -> None:
    """For flows that plug in from outside this file (tests, optional features)."""
    SCREENS[name] = ScreenSpec(module, cls)


# A rule deciding whether an otherwise working tile is open right now: returns the msgid of the
# reason it is closed (shown on the tile), or None when open.
EnabledRule = Callable[[KioskCore], str | None]


@dataclass(frozen=True)
class Tile:
    id: str
    title: str  # msgid
    subtitle: str  # msgid
    icon: str  # one glyph drawn large in a circle: reads at a glance, no image files
    target: str  # screen name
    requires: tuple[str, ...] = ()  # device kinds that must work
    enabled_when: EnabledRule | None = None
    staffed: bool = False  # needs the hall open (closed after hours)


DEVICE_NAMES: dict[str, str] = {  # msgids
    "idcard": "身份证阅读器",
    "scanner": "扫码器",
    "camera": "摄像头",
    "printer": "打印机",
    "locker": "文件柜",
}

TILES: tuple[Tile, ...] = (
    # The printer is not required for a ticket: without it the ticket is shown on screen.
    Tile("queue", "取号", "选择业务，领取排队号", "号", "queue", staffed=True),
    Tile("guide", "办事指南", "所需材料、办理时限", "指", "guide"),
    Tile("submit", "自助申报", "拍照上传材料", "申", "submit", requires=("idcard", "camera")),
    Tile("progress", "办件查询", "扫码或刷身份证查进度", "查", "progress"),
    Tile("locker", "文件柜", "取件 / 夜间投递", "柜", "locker", requires=("locker",)),
    Tile("rating", "好差评", "评价我们的服务", "评", "rating"),
    Tile("help", "使用帮助", "如何使用本机", "助", "help"),
)


@dataclass(frozen=True)
class TileState:
    tile: Tile
    enabled: bool
    reason: str = ""  # msgid, with {device} filled by the caller when present
    device: str = ""  # kind whose failure disabled the tile
    opens_at: datetime | None = None  # hall-local time a tile closed by the hours opens again


REASON_COMING = "即将开放"  # msgid: the capability's screens are not part of this kiosk yet


def visible_tiles(ctx: KioskCore, tiles: tuple[Tile, ...] = TILES) -> list[TileState]:
    """Tiles to draw now, with whether each can be pressed and why not (the mode decides). A
    tile whose screen is not registered yet shows, disabled, as 即将开放 — and only such a
    tile says so; one whose device is not fitted at all is not shown."""
    by_id = {t.id: t for t in tiles}
    wanted = [Capability(t.id, t.requires, t.staffed, _extra(ctx, t)) for t in by_id.values()]
    out: list[TileState] = []
    for c in ctx.mode.capabilities(wanted):
        tile = by_id[c.id]
        if tile.target not in SCREENS:
            out.append(TileState(tile, False, REASON_COMING))
        else:
            out.append(TileState(tile, c.enabled, c.reason, c.device, c.opens_at))
    return out


def _extra(ctx: KioskCore, tile: Tile) -> Callable[[], str | None] | None:
    rule = tile.enabled_when
    return (lambda: rule(ctx)) if rule is not None else None
