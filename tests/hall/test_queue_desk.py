"""The counter page's adapter: the hall server moves the kiosks' queue on the shared database
(a ticket issued by a kiosk's QueueService is called by the server's QueueDesk)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.clock import FixedClock
from kiosk.config import load_config
from kiosk.hall.queue_desk import QueueDesk
from kiosk.queue import NoTicketWaiting, QueueService
from tests.hall.conftest import SECRET

# Monday 5 January 2026, 10:00 in the hall: every weekday item is open (as in tests/core).
MONDAY_10 = datetime(2026, 1, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_desk_calls_what_a_kiosk_issued(hall):
    """Given a ticket issued by a kiosk on the shared database, when the server's desk calls
    the next ticket at one of its windows, then it is that ticket; done, then nobody waits."""
    catalogue = hall.settings.catalogue()
    item = catalogue.items_in("social")[0]
    kiosk = QueueService(hall.app.state.engine, catalogue, load_config(None),
                         FixedClock(MONDAY_10), "K01", secret=SECRET)
    ticket = kiosk.issue_ticket(item.id)
    desk: QueueDesk = hall.app.state.queue_desk
    desk._service().clock = FixedClock(MONDAY_10)  # the desk's service day = the ticket's day
    window = item.windows[0]
    called = desk.call_next(window)
    assert called.number == ticket.number and called.window_id == window
    social = next(c for c in desk.status(MONDAY_10.date()).categories
                  if c.code == item.category)
    assert social.called == 1 and social.last_called == ticket.number
    assert desk.done(window).status == "done"
    with pytest.raises(NoTicketWaiting):
        desk.call_next(window)
