"""The hall queue (取号 and the counters): ``QueueService`` (issuing), ``CounterService`` (the
windows) and what they return or refuse."""

from kiosk.queue.counter import CounterService
from kiosk.queue.errors import (
    AppointmentAlreadyUsed,
    AppointmentImportError,
    AppointmentNotFound,
    AppointmentOtherDay,
    AppointmentTooEarly,
    AppointmentTooLate,
    DailyCapacityReached,
    NoCurrentTicket,
    NoTicketWaiting,
    PersonalLimitReached,
    QueueRefusal,
    ServiceClosed,
    UnknownGroup,
    UnknownItem,
    UnknownWindow,
)
from kiosk.queue.service import QueueService
from kiosk.queue.tickets import CalledTicket, CategoryStatus, IssuedTicket, QueueStatus

__all__ = [
    "AppointmentAlreadyUsed", "AppointmentImportError", "AppointmentNotFound",
    "AppointmentOtherDay", "AppointmentTooEarly", "AppointmentTooLate", "CalledTicket",
    "CategoryStatus", "CounterService", "DailyCapacityReached", "IssuedTicket", "NoCurrentTicket",
    "NoTicketWaiting", "PersonalLimitReached", "QueueRefusal", "QueueService", "QueueStatus",
    "ServiceClosed", "UnknownGroup", "UnknownItem", "UnknownWindow",
]
