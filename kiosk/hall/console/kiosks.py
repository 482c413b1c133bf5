"""Kiosk health (终端状态): each kiosk's last heartbeat, devices, paper, outbox and open alerts.

A kiosk silent for ``kiosk_silent_after_s`` (5 minutes by default) is shown as 失联 at the top,
in red and in words (colour is never the only cue). Read-only, through
``kiosk.hall.services.kiosks``; must never show a kiosk's token or anything a citizen typed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk.hall.console import deps
from kiosk.hall.console.web import ConsoleRoute, StaffDep, render
from kiosk.hall.services import kiosks as kiosk_service

router = APIRouter(route_class=ConsoleRoute)

DEVICE_ZH = {"idcard": "身份证阅读器", "scanner": "扫码器", "camera": "摄像头",
             "printer": "打印机", "locker": "智能柜"}
STATE_ZH = {"ok": "正常", "degraded": "异常", "offline": "离线"}
PAPER_ZH = {"ok": "正常", "near_end": "纸将用完", "out": "缺纸", "offline": "打印机离线",
            "unknown": "未知"}
ALERT_ZH = {"paper_out": "打印机缺纸", "printer.paper_out": "打印机缺纸",
            "call_staff": "群众呼叫工作人员", "help.requested": "群众呼叫工作人员",
            "door_open": "柜门未关", "locker.door_open": "柜门未关"}


def ago(now: datetime, then: datetime | None) -> str:
    if then is None:
        return "从未上报"
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return f"{seconds} 秒前"
    if seconds < 3600:
        return f"{seconds // 60} 分钟前"
    return f"{seconds // 3600} 小时 {seconds % 3600 // 60} 分钟前"


@router.get("/kiosks", response_class=HTMLResponse)
def kiosk_health(request: Request, staff: StaffDep) -> Response:
    settings = deps.settings(request)
    now = deps.now_utc()
    with deps.db(request) as session:
        kiosks = kiosk_service.list_kiosks(session, now=now,
                                           silent_after_s=settings.kiosk_silent_after_s)
    kiosks.sort(key=lambda k: (k.revoked, not k.missing, k.kiosk_id))
    return render(request, "kiosks.html", {
        "title": "终端状态", "kiosks": kiosks, "now": now, "ago": ago, "timedelta": timedelta,
        "silent_min": settings.kiosk_silent_after_s // 60, "device_zh": DEVICE_ZH,
        "state_zh": STATE_ZH, "paper_zh": PAPER_ZH, "alert_zh": ALERT_ZH,
        "missing": sum(k.missing for k in kiosks)}, staff=staff)
