"""预约签到: an appointment becomes a ticket by scanning its QR code or tapping the ID card.

Calls ``QueueService.check_in_appointment`` (which commits the ticket before returning) and shows
the ticket on the same ticket screen as any other. Too early, too late, another day, not found or
already checked in are explained with the times, never silently ignored. Scans and cards reach
this screen through the app's per-screen hooks only while it is shown.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.queue.errors import QueueRefusal
from kiosk.queue.tickets import IssuedTicket
from screens.queue_common import (
    TICKET,
    commit_in_background,
    hall_now,
    session_data,
    show_notice,
    show_refusal,
)
from screens.widgets import KioskScreen

if TYPE_CHECKING:
    from drivers.idcard.base import IdCard
    from drivers.scanner.base import ScannedCode

log = logging.getLogger(__name__)

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class QueueAppointmentScreen(KioskScreen):
    title = StringProperty("预约签到")
    checking = BooleanProperty(False)  # a check-in is being committed

    def code_scanned(self, code: ScannedCode) -> bool:
        self._check_in(code=code.text)
        return True

    def card_inserted(self, card: IdCard) -> bool:
        app = self.app
        if card.is_expired(hall_now(app.ctx).date()):
            until = card.valid_until.isoformat() if card.valid_until else ""
            msgid = "身份证已过期（有效期至 {date}），请扫描预约二维码签到"
            other = "en" if app.lang == "zh" else "zh"
            show_notice(app.tr("无法签到", app.lang), app.tr(msgid, app.lang, date=until),
                        app.tr(msgid, other, date=until))
            return True
        self._check_in(card=card)
        return True

    def card_removed(self) -> bool:
        return True

    def _check_in(self, *, code: str | None = None, card: IdCard | None = None) -> None:
        if self.checking:  # a second scan while the first is being committed
            return
        self.checking = True
        ctx = self.app.ctx

        def checked_in(ticket: IssuedTicket) -> None:
            if card is not None:
                ctx.sessions.current.card = card
            session_data(ctx)[TICKET] = ticket
            log.info("appointment checked in as %s", ticket.number)
            self.app.go("queue_ticket")

        def refused(refusal: QueueRefusal) -> None:
            log.info("appointment check-in refused: %s", type(refusal).__name__)
            show_refusal(refusal, "无法签到")

        commit_in_background(self.app,
                             lambda: ctx.queue.check_in_appointment(code=code, card=card),
                             checked_in, refused, lambda: setattr(self, "checking", False))
