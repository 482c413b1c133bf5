"""The typed state of the locker journeys (取件 pickup, 夜间投递 night drop-off): what the
screens draw, nothing more. No code digits survive a session; no ID number or name, only the
masked name. Never imports Kivy.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class LockerStep(enum.StrEnum):
    MENU = "menu"  # 取件 / 夜间投递 / 工作人员
    CODE = "code"  # the 6-digit keypad (or scan the notification's QR)
    IDENTIFY = "identify"  # ID card: the applicant's (pickup of a certificate) or the depositor
    CHOOSE = "choose"  # drop-off: the case (receipt QR) or a catalogue item, and the size
    OPENING = "opening"  # the open command is on its way
    DOOR_OPEN = "door_open"  # the door is open: take the item / put it in, then close the door
    RESULT = "result"  # how it ended


class LockerResult(enum.StrEnum):
    PICKED_UP = "picked_up"
    NOT_TAKEN = "not_taken"  # closed with the item still inside: the code still works
    RECEIVED = "received"  # drop-off received
    NOTHING_PUT = "nothing_put"  # closed on an empty compartment: nothing received
    DOOR_FAULT = "door_fault"  # the door did not open: out of service, staff told
    FULL = "full"  # no free compartment of that size


@dataclass(frozen=True)
class LockerNotice:
    """A refusal to say once: msgids with their arguments. ``serial`` tells new from redrawn."""

    heading: str
    message: str
    serial: int
    minutes: int = 0  # cooling-off left, said in words
    tries_left: int = -1


@dataclass(frozen=True)
class LockerState:
    step: LockerStep = LockerStep.MENU
    journey: str = ""  # "pickup" | "dropoff"
    digits: str = ""  # the code being typed (never logged; wiped with the session)
    busy: bool = False  # a check or an open is running off the UI thread: taps ignored
    notice: LockerNotice | None = None
    compartment: int | None = None  # the door that opened (drawn in the cabinet)
    masked_name: str = ""
    case_label: str = ""  # case number or service item, for the screen and the receipt
    service_item: str | None = None
    case_id: str | None = None
    size: str = "M"
    left_open: bool = False  # the door has been open longer than the alert threshold
    result: LockerResult | None = None
    recovered: bool = False  # the door journal was checked after start
