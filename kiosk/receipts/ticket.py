"""The queue ticket as paper: hall, big number, service, windows, wait, QR codes, footer.

Printed in the citizen's language: every text is a msgid rendered with ``kiosk.i18n.tr``, and the
names the catalogue and configuration carry in both languages are picked the same way. Builds
data only; rendering to ESC/POS is the printer package's job. Prints the masked name the ticket
carries and nothing else personal: never a clear name or ID number.
"""

from __future__ import annotations

import re

from config.schema import HallConfig
from drivers.printer.layout import Align, Receipt
from kiosk.i18n import Msg, Names, tr
from kiosk.queue.tickets import IssuedTicket

_WINDOW = re.compile(r"^(.*?)(\d+)$")


def windows_text(windows: tuple[str, ...]) -> str:
    """("A01","A02","A03","C07") → "A01-A03, C07": runs of consecutive windows collapsed."""
    parts: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            parts.append(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}")
            run.clear()

    for w in windows:
        m, prev = _WINDOW.match(w), _WINDOW.match(run[-1]) if run else None
        if m and prev and m[1] == prev[1] and int(m[2]) == int(prev[2]) + 1:
            run.append(w)
        else:
            flush()
            run.append(w)
    flush()
    return ", ".join(parts)


def ticket_receipt(ticket: IssuedTicket, hall: HallConfig, lang: str = "zh", *,
                   reprint: bool = False) -> Receipt:
    """The ticket in ``lang`` (the citizen's language: the screen passes ``app.lang``).
    ``reprint``: a copy of a ticket taken earlier, marked 补打 under the hall's name, its people
    ahead as of now (the ticket given is already counted so). Titles are centred and set in
    double size rather than bold: the printers' CJK fonts have no bold face, and the emulated
    one smudges."""
    r = Receipt()
    r.text(Names(hall.name, hall.name_en).render(lang), size=2, align=Align.CENTER)
    if reprint:
        r.text(tr("补打", lang), size=2, align=Align.CENTER)
    r.separator()
    r.text(ticket.number, size=4, bold=True, align=Align.CENTER)
    if ticket.priority:
        r.text(tr("绿色通道 · {group}", lang, group=Msg(ticket.priority_label)), size=2,
               align=Align.CENTER)
    r.text(Names(ticket.category_name, ticket.category_name_en).render(lang), size=2,
           align=Align.CENTER)
    r.separator()
    r.text(tr("事项：{item}", lang, item=Names(ticket.item_name, ticket.item_name_en)))
    r.text(tr("窗口：{windows}（任一窗口均可办理）", lang, windows=windows_text(ticket.windows)))
    if ticket.people_ahead:
        r.text(tr("前面还有 {n} 人，预计等候约 {minutes} 分钟", lang, n=ticket.people_ahead,
                  minutes=ticket.estimated_wait_minutes), align=Align.CENTER)
    else:
        r.text(tr("前面没有人等候，请留意叫号", lang), align=Align.CENTER)
    r.text(tr("取号时间：{time}", lang, time=ticket.issued_at.strftime("%Y-%m-%d %H:%M")))
    if ticket.masked_name:
        r.text(tr("姓名：{name}", lang, name=ticket.masked_name))
    if ticket.appointment_code:
        r.text(tr("预约号：{code}", lang, code=ticket.appointment_code))
    r.separator()
    r.qr(ticket.queue_url, caption=tr("扫码查看排队进度", lang))
    r.qr(ticket.rating_url, module_size=4, caption=tr("办事评价（好差评）", lang))
    r.separator()
    r.text(tr("请留意叫号；过号请到服务台或重新取号。", lang), align=Align.CENTER)
    r.text(tr("本号当日有效", lang), align=Align.CENTER)
    return r
