"""One translation mechanism: every msgid the source uses has English, placeholders agree,
refusals and receipts render in the citizen's language, and the group labels are one table."""

from __future__ import annotations

import io
import string
import warnings
from datetime import date, datetime

import pytest

from kiosk.i18n import LOCALE_DIR, Msg, Names, Translator, day_msg, tr, when_msg
from kiosk.i18n_extract import extract_device_messages, extract_kv, used_msgids
from kiosk.queue.errors import (
    AppointmentOtherDay,
    DailyCapacityReached,
    ServiceClosed,
    UnknownGroup,
)
from kiosk.queue.groups import GROUP_LABELS
from tests.core.conftest import SHANGHAI


@pytest.fixture(scope="module")
def used() -> dict[str, list[str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Babel notes f-string *parameters*; not msgids
        return used_msgids()


@pytest.fixture(scope="module")
def english() -> dict[str, str]:
    return Translator(LOCALE_DIR).catalog("en")


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_msgid_used_in_the_code_has_an_english_translation(used, english):
    """Given the msgids Babel extracts from kiosk/, screens/ (.py and .kv) and the drivers'
    message_zh, when compared with config/locale/en.po, then none is missing."""
    missing = {m: where[:3] for m, where in used.items() if m not in english}
    assert missing == {}


def test_extraction_finds_each_kind_of_use(used):
    """Given the three conventions, then each is found: a tr() in a screen, a tr() in a .kv
    file, a Msg() refusal, an N_() table entry and a driver's message_zh."""
    assert any(w.startswith("screens/") and ".py:" in w for w in used["绿色通道 · {group}"])
    assert any(".kv:" in w for w in used["返回首页"])
    assert any("kiosk/queue/errors.py" in w for w in used["没有窗口“{window}”"])
    assert any("kiosk/queue/groups.py" in w for w in used["孕妇"])
    assert any("drivers/printer/base.py" in w for w in used["打印机缺纸"])
    assert "张三" not in used  # sample card data is not a message


def test_extractors_on_snippets():
    """Given a .kv line and a driver module, when extracted, then the msgids come out with
    their line numbers and English-only or f-string texts are left alone."""
    kv = b'Label:\n    text: app.tr("\xe5\x8f\x96\xe5\x8f\xb7", app.lang)\n    color: 1, 1, 1, 1\n'
    found_kv = [(n, m[0] if isinstance(m, tuple) else m)
                for n, _, m, _ in extract_kv(io.BytesIO(kv), {"tr": None}, [], {})]
    assert found_kv == [(2, "取号")]
    src = ('class E(DeviceError):\n    message_zh = "坏了"\n'
           'raise E("english only")\nraise E("broken", "也坏了")\n'
           'raise E(f"door {d}", f"{d}号门")\nx = E("a", message_zh="又坏了")\n')
    found = [(n, m) for n, _, m, _ in
             extract_device_messages(io.BytesIO(src.encode()), {}, [], {})]
    assert sorted(found) == [(2, "坏了"), (4, "也坏了"), (6, "又坏了")]


def test_a_msgid_without_english_is_reported(tmp_path, english):
    """Given a catalogue lacking one msgid the code uses, when compared, then it is reported
    (the check is not vacuous)."""
    (tmp_path / "en.po").write_text('msgid "返回"\nmsgstr "Back"\n', "utf-8")
    partial = Translator(tmp_path).catalog("en")
    assert "返回首页" not in partial and "返回首页" in english


def test_placeholders_match_between_msgid_and_msgstr(english):
    """Given config/locale/en.po, then every msgstr uses exactly its msgid's placeholders."""
    assert len(english) > 100
    wrong = {m: s for m, s in english.items() if _fields(m) != _fields(s)}
    assert wrong == {}


def test_placeholders_used_in_code_are_those_of_the_msgid(used):
    """Given every extracted msgid, then its placeholders are plain names (no positional {} or
    attribute access a translator could not reproduce)."""
    for msgid in used:
        for name in _fields(msgid):
            assert name.isidentifier(), (msgid, name)


def test_nested_messages_and_names_render_per_language():
    """Given a message whose parameters are a weekday Msg and catalogue Names, when rendered,
    then each part is in the reader's language."""
    monday = date(2026, 1, 12)
    assert day_msg(monday).render("zh") == "1月12日（周一）"
    assert day_msg(monday).render("en") == "Mon 12 Jan"
    at = datetime(2026, 1, 12, 9, 0, tzinfo=SHANGHAI)
    assert when_msg(at, monday).render("en") == "today at 09:00"
    assert when_msg(at, date(2026, 1, 9)).render("en") == "Mon 12 Jan at 09:00"
    name = Names("失业登记", "Unemployment registration")
    assert tr("事项：{item}", "en", item=name) == "Service: Unemployment registration"
    assert tr("事项：{item}", "zh", item=name) == "事项：失业登记"
    assert Msg("周一").render("en") == "Mon"


def test_refusals_carry_a_msgid_and_render_in_either_language():
    """Given refusals, when rendered, then message(lang), message_zh and message_en agree with
    the catalogue, str() is the English one, and names given in both languages are used."""
    now = datetime(2026, 1, 9, 17, 30, tzinfo=SHANGHAI)
    opens = datetime(2026, 1, 12, 9, 0, tzinfo=SHANGHAI)
    closed = ServiceClosed(Names("失业登记", "Unemployment registration"), opens, now)
    assert closed.msg.msgid == "“{item}”现在不在办理时间，下次开放：{when}"
    assert closed.message_zh == "“失业登记”现在不在办理时间，下次开放：1月12日（周一）09:00"
    assert closed.message("en") == closed.message_en == str(closed) == (
        "Unemployment registration is closed now; it opens Mon 12 Jan at 09:00")
    full = DailyCapacityReached("一业一证（药店）", 2)
    assert "2" in full.message_zh and "tomorrow" in full.message_en
    assert UnknownGroup("pregnant").message_en.startswith(
        "The green channel does not cover “Pregnant")  # issue 12: group names capitalised
    assert "孕妇" in UnknownGroup("pregnant").message_zh
    assert "vip" in UnknownGroup("vip").message_zh
    past = AppointmentOtherDay(date(2026, 1, 4), date(2026, 1, 5))
    assert past.message_en.startswith("Your appointment was on Sun 4 Jan")


def test_one_table_of_green_channel_labels():
    """Given the group table, then every group the shipped config lists has a label with
    English, and the screens use this same table (not a copy)."""
    from pathlib import Path

    from kiosk.config import load_config

    english = Translator(LOCALE_DIR).catalog("en")
    for group in [*load_config(None).green_channel.groups, "elderly", "appointment"]:
        assert GROUP_LABELS[group] in english
    root = Path(__file__).resolve().parents[2]
    copies = [p for p in [*root.glob("screens/*.py"), *root.glob("kiosk/**/*.py")]
              if '"孕妇"' in p.read_text("utf-8") and p.name != "groups.py"]
    assert copies == []


def test_translations_command_lists_what_en_po_lacks(tmp_path, monkeypatch, capsys):
    """Given an en.po without most msgids, when `kiosk config translations --pot` runs, then it
    exits 1 with one line per missing msgid (naming where it is used) and writes a template
    holding every msgid; with the shipped en.po it exits 0."""
    from babel.messages.pofile import read_po

    from kiosk.cli import main
    from kiosk.commands import translations

    assert main(["config", "translations"]) == 0
    assert capsys.readouterr().out.strip().endswith("0 problem(s)")
    (tmp_path / "en.po").write_text('msgid "返回"\nmsgstr "Back"\n'
                                    'msgid "{n} 秒"\nmsgstr "{m} s"\n', "utf-8")
    monkeypatch.setattr(translations, "LOCALE_DIR", tmp_path)
    pot = tmp_path / "kiosk.pot"
    assert main(["config", "translations", "--pot", str(pot)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "no English: '打印机缺纸' (used at drivers/printer/base.py:24)" in out
    assert "placeholders differ: '{n} 秒' -> '{m} s'" in out
    template = {m.id for m in read_po(pot.open("rb")) if m.id}
    assert {"打印机缺纸", "返回首页", "孕妇"} <= template


def test_a_refusal_built_from_two_rendered_texts_still_works():
    """Given the older (message_zh, message_en) form a caller may still use, then each
    language shows its own text."""
    from kiosk.queue.errors import QueueRefusal

    refusal = QueueRefusal("现在不办理", "Closed now")
    assert (refusal.message("zh"), refusal.message("en"), str(refusal)) == (
        "现在不办理", "Closed now", "Closed now")
