"""The ticket on paper (content and ESC/POS bytes), printer trouble after commit, and the
``kiosk queue`` command line through ``kiosk.cli.main``."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from drivers.base import Fault
from drivers.printer.base import PaperOut
from drivers.printer.escpos_render import render_escpos
from drivers.printer.profile import PrinterProfile
from drivers.printer.simulated import SimulatedPrinter
from kiosk.catalogue import DEFAULT_CATALOGUE
from kiosk.cli import main
from kiosk.clock import SystemClock
from kiosk.receipts import ticket_receipt, windows_text
from kiosk.storage import Ticket, make_engine, migrate
from tests.core.conftest import make_card


def test_windows_text_collapses_runs():
    assert windows_text(("A01", "A02", "A03", "A04")) == "A01-A04"
    assert windows_text(("C01", "C02", "C07", "B01")) == "C01-C02, C07, B01"


def test_ticket_receipt_shows_everything_a_ticket_must(service, config):
    old = make_card(birth=make_card().birth_date.replace(year=1940))
    service.issue_ticket("unemployment-registration")
    ticket = service.issue_ticket("employment-certificate", card=old)
    text = ticket_receipt(ticket, config.hall).plain_text()
    for part in ("泉州市行政服务中心", "A002", "绿色通道 · 老年人", "社会民生",
                 "《就业创业证》申领", "A01-A04", "姓名：张*", "2026-01-05 10:00",
                 f"[QR {ticket.queue_url}]", f"[QR {ticket.rating_url}]", "好差评",
                 "本号当日有效"):
        assert part in text, part
    assert "张三" not in text and "11010519491231002X" not in text
    assert "Valid today only" not in text  # one language per ticket: the citizen's
    regular = service.issue_ticket("company-change")
    plain = ticket_receipt(regular, config.hall).plain_text()
    assert "绿色通道" not in plain and "前面没有人等候" in plain


def test_ticket_receipt_in_english_has_no_chinese_but_the_masked_name(service, config):
    """Given a green-channel ticket and a citizen who chose English, when the receipt is built,
    then every line is English (names from the catalogue's English) except the masked name."""
    old = make_card(birth=make_card().birth_date.replace(year=1940))
    ticket = service.issue_ticket("employment-certificate", card=old)
    text = ticket_receipt(ticket, config.hall, "en").plain_text()
    for part in (config.hall.name_en, "A001", "Priority (Elderly)", ticket.category_name_en,
                 ticket.item_name_en, "A01-A04", "Name: 张*", "Valid today only",
                 "Rate our service"):
        assert part in text, part
    chinese = {ch for ch in text.replace("张*", "") if "\u3400" <= ch <= "\u9fff"}
    assert chinese == set(), chinese


def test_ticket_bytes_for_a_gb18030_printer(service, config):
    ticket = service.issue_ticket("unemployment-registration")
    data = render_escpos(ticket_receipt(ticket, config.hall), PrinterProfile())
    assert data.startswith(b"\x1b@")  # ESC @ initialise
    assert "泉州市行政服务中心".encode("gb18030") in data
    assert b"A001" in data and ticket.queue_url.encode() in data
    assert b"\x1d(k" in data  # native QR (GS ( k)


def test_printer_out_of_paper_keeps_the_ticket_and_raises_one_alert(service, config, engine,
                                                                    tmp_path, clock):
    """Given a committed ticket and a printer out of paper, when printing fails twice, then the
    ticket is still stored, one open printer.paper_out alert exists (no ticket number or name in
    it), and a later successful print clears it."""
    from kiosk.alerts import PRINTER_KINDS, Alerts, printer_alert

    alerts_k01 = Alerts(engine, "K01", clock)

    printer = SimulatedPrinter(tmp_path / "out")
    printer.open()
    printer.inject(Fault.PAPER_OUT)
    ticket = service.issue_ticket("unemployment-registration")
    receipt = ticket_receipt(ticket, config.hall)
    for _ in range(2):
        with pytest.raises(PaperOut) as info:
            printer.print_receipt(receipt)
        alerts_k01.raise_(printer_alert(info.value))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Ticket)).scalar() == 1
    alerts = alerts_k01.open()
    assert [a.kind for a in alerts] == ["printer.paper_out"]
    assert ticket.number not in alerts[0].message and "A001" in receipt.plain_text()
    printer.clear()
    assert printer.print_receipt(receipt).startswith(b"\x1b@")
    assert Alerts(engine, "K02", clock).open() == []  # another kiosk's list is its own
    assert alerts_k01.clear(PRINTER_KINDS) == 1
    assert alerts_k01.open() == []


@pytest.fixture
def site(tmp_path, make_service, catalogue, config):
    """A site file pointing at a SQLite database holding three of today's tickets."""
    db = tmp_path / "hall.sqlite3"
    path = tmp_path / "site.toml"
    path.write_text(f'[kiosk]\nid = "K09"\ndatabase = "sqlite:///{db}"\n'
                    f'data_dir = "{tmp_path / "var"}"\n', encoding="utf-8")
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    now = SystemClock(config.hall.timezone)  # the CLI works on today's real date
    service = make_service(engine, cat=catalogue.without_limits(), clk=now)
    service.issue_ticket("unemployment-registration")
    service.issue_ticket("unemployment-registration", declared_group="pregnant")
    service.issue_ticket("company-change")
    engine.dispose()
    return str(path)


def test_cli_call_done_status_json(site, capsys):
    assert main(["--config", site, "queue", "call", "--window", "A01", "--json"]) == 0
    called = json.loads(capsys.readouterr().out)
    assert (called["number"], called["priority_reason"], called["status"]) == (
        "A002", "pregnant", "called")
    assert main(["--config", site, "queue", "recall", "--window", "A01"]) == 0
    assert "A002 called at A01" in capsys.readouterr().out
    assert main(["--config", site, "queue", "done", "--window", "A01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "done"
    assert main(["--config", site, "queue", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    social, business, _ = status["categories"]
    assert (social["waiting"], social["done"], business["waiting"]) == (1, 1, 1)
    assert main(["--config", site, "queue", "status"]) == 0
    assert "waiting   1" in capsys.readouterr().out


def test_cli_refusals_are_one_line(site, capsys):
    assert main(["--config", site, "queue", "skip", "--window", "B01"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["kiosk: Window B01: no ticket has been called (窗口B01：当前没有已叫的号)"]
    assert main(["--config", site, "queue", "call", "--window", "X9"]) == 1
    assert "no window 'X9'" in capsys.readouterr().err


def test_cli_issue_and_import(site, tmp_path, capsys):
    code = main(["--config", site, "queue", "issue", "no-such-item"])
    assert code == 1 and "does not exist" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("code,item_id,date,start,end\nX,company-change,2026-01-05,25:00,26:00\n",
                   encoding="utf-8")
    assert main(["--config", site, "queue", "import-appointments", str(bad)]) == 1
    assert "row 1: start" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_text("code,item_id,date,start,end\nX,company-change,2026-01-05,10:00,11:00\n",
                    encoding="utf-8")
    assert main(["--config", site, "queue", "import-appointments", str(good)]) == 0
    assert "added 1" in capsys.readouterr().out


def test_cli_issue_with_a_24_hour_catalogue(site, tmp_path, capsys):
    """Given a site catalogue whose schedules are all 00:00-24:00, when issuing from the command
    line, then a ticket is committed and described (priority tickets go ahead of regular ones)."""
    days = "".join(f'{d} = ["00:00-24:00"]\n' for d in ("mon", "tue", "wed", "thu", "fri",
                                                          "sat", "sun"))
    text = re.sub(r"(\[schedules\.\w+\][^\n]*\n)(?:\w+ = \[.*\]\n)+", lambda m: m[1] + days,
                  DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    cat = tmp_path / "always.toml"
    cat.write_text(text, encoding="utf-8")
    with open(site, "a", encoding="utf-8") as fh:
        fh.write(f'catalogue = "{cat}"\n')
    assert main(["--config", site, "queue", "issue", "property-transfer", "--json"]) == 0
    ticket = json.loads(capsys.readouterr().out)
    assert (ticket["number"], ticket["people_ahead"]) == ("C001", 0)
    assert main(["--config", site, "queue", "issue", "company-change", "--group", "military"]) == 0
    assert capsys.readouterr().out.startswith("B002 企业信息变更: 0 ahead")
