"""The queue ticket as paper: hall, big number, service, windows, wait, QR codes, footer.

Builds data only; rendering to ESC/POS is the printer package's job. Prints the masked name the
ticket carries and nothing else personal: never a clear name or ID number.
"""

from __future__ import annotations

import re

from config.schema import HallConfig
from drivers.printer.layout import Align, Receipt
from kiosk.queue.tickets import PRIORITY_REASONS_EN, IssuedTicket

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


def ticket_receipt(ticket: IssuedTicket, hall: HallConfig) -> Receipt:
    r = Receipt()
    r.text(hall.name, bold=True, align=Align.CENTER)
    r.text(hall.name_en, align=Align.CENTER)
    r.separator()
    r.text(ticket.number, size=4, bold=True, align=Align.CENTER)
    if ticket.priority:
        reason_en = PRIORITY_REASONS_EN.get(ticket.priority_reason or "", "")
        r.text(f"绿色通道 · {ticket.priority_label}  Priority ({reason_en})", bold=True,
               align=Align.CENTER)
    r.text(f"{ticket.category_name} {ticket.category_name_en}", size=2, align=Align.CENTER)
    r.separator()
    r.text(f"事项 Service：{ticket.item_name}")
    r.text(f"  {ticket.item_name_en}")
    r.text(f"窗口 Windows：{windows_text(ticket.windows)}（任一窗口均可办理 any of these）")
    if ticket.people_ahead:
        wait = ticket.estimated_wait_minutes
        r.text(f"前面还有 {ticket.people_ahead} 人，预计等候约 {wait} 分钟", bold=True)
        r.text(f"{ticket.people_ahead} ahead of you, about {wait} min")
    else:
        r.text("前面没有人等候，请留意叫号", bold=True)
        r.text("Nobody ahead of you: watch for your number")
    r.text(f"取号时间 Issued：{ticket.issued_at:%Y-%m-%d %H:%M}")
    if ticket.masked_name:
        r.text(f"姓名 Name：{ticket.masked_name}")
    if ticket.appointment_code:
        r.text(f"预约号 Appointment：{ticket.appointment_code}")
    r.separator()
    r.qr(ticket.queue_url, caption="扫码查看排队进度 Follow the queue")
    r.qr(ticket.rating_url, module_size=4, caption="办事评价（好差评）Rate our service")
    r.separator()
    r.text("请留意叫号；过号请到服务台或重新取号。", align=Align.CENTER)
    r.text("Please listen for your number; if missed, ask at the help desk.", align=Align.CENTER)
    r.text("本号当日有效 Valid today only", align=Align.CENTER)
    return r
