"""The service catalogue: the shipped hall, tap search by pinyin initials, opening hours, and
validation errors that name file, key, found and expected."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from kiosk.catalogue import DEFAULT_CATALOGUE, load_catalogue
from kiosk.config import ConfigError
from tests.core.conftest import SHANGHAI


def test_shipped_catalogue_is_a_real_hall(catalogue):
    """Given the shipped catalogue, then it has the three comprehensive categories with ticket
    prefixes A/B/C and the items from the hall reports."""
    assert [(c.name, c.prefix) for c in catalogue.categories] == [
        ("社会民生", "A"), ("经营管理", "B"), ("工程建设", "C")]
    names = {i.name for i in catalogue.items}
    for wanted in ("失业登记", "就业登记", "《就业创业证》申领", "申领社会保障卡", "企业开办一件事",
                   "企业信息变更", "一业一证（药店）", "不动产登记", "房产过户", "土地出让金缴交",
                   "职工退休一件事"):
        assert wanted in names
    assert catalogue.item("unemployment-registration").instant
    start = catalogue.item("bundle-start-business")
    assert start.is_bundle and start.promised_days == 1
    assert "bundle-start-business" in catalogue.item("seal-engraving").part_of
    assert any(not m.required for m in catalogue.item("real-estate-registration").materials)
    # 一窗通办: an item is served at every comprehensive window of its category
    assert catalogue.item("property-transfer").windows == ("C01", "C02")
    assert catalogue.item("land-premium-payment").windows == ("C03",)


def test_tap_search_by_pinyin_initials(catalogue):
    """Given the letters S then SY, then 失业登记 is found without typing Chinese; letters with
    no item are not offered."""
    assert "S" in catalogue.initials() and "X" not in catalogue.initials()
    s_items = {i.name for i in catalogue.items_by_initial("s")}
    assert {"失业登记", "申领社会保障卡"} <= s_items
    assert [i.name for i in catalogue.search_initials("SYDJ")] == ["失业登记"]
    # 《》 punctuation is skipped: 《就业创业证》申领 files under J
    assert "《就业创业证》申领" in {i.name for i in catalogue.items_by_initial("J")}
    assert all(i.category == "business" for i in catalogue.items_by_initial("Y", "business"))


def test_opening_hours_and_next_opening(catalogue):
    weekdays = catalogue.item("unemployment-registration").schedule
    assert weekdays.is_open(datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI))
    assert not weekdays.is_open(datetime(2026, 1, 5, 12, 0, tzinfo=SHANGHAI))
    assert weekdays.next_opening(datetime(2026, 1, 5, 12, 0, tzinfo=SHANGHAI)) == datetime(
        2026, 1, 5, 13, 30, tzinfo=SHANGHAI)
    friday_evening = datetime(2026, 1, 9, 17, 0, tzinfo=SHANGHAI)
    assert weekdays.next_opening(friday_evening) == datetime(2026, 1, 12, 9, 0, tzinfo=SHANGHAI)


def write(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "catalogue.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "key", "expected"), [
    ('prefix = "A"', 'prefix = "a1"', "categories[0].prefix", "capital letters"),
    ('category = "social"\ndepartment', 'category = "tax"\ndepartment', "items[0].category",
     "one of social, business, construction"),
    ('kind = "instant"\nfee', 'kind = "fast"\nfee', "items[0].kind", "instant"),
    ('mon = ["09:00-12:00", "13:30-17:00"]', 'mon = ["12:00-09:00"]', "schedules.weekdays.mon",
     "opening before closing"),
    ('average_minutes = 12', 'average_minutes = "12"', "items[0].average_minutes", "a number"),
    ('schedule = "weekdays"', 'schedule = "nights"', "items[0].schedule", "one of weekdays"),
    ('[appointments]', '[appointment]', "appointment", "one of appointments"),
    ('windows = ["C03"]', 'windows = ["A01"]', "windows", "windows of category construction"),
    # ranges, finite numbers, exact types, unknown keys and references (one mechanism with config)
    ('average_minutes = 12', 'average_minutes = nan', "items[0].average_minutes",
     "a number more than 0 and at most 480"),
    ('prefix = "B"', 'prefix = "A"', "categories[1].code", "used by no other category"),
    ('check_in_early_minutes = 30', 'check_in_early_minutes = -5',
     "appointments.check_in_early_minutes", "an integer from 0 to 1440"),
    ('average_minutes = 12', 'average_minutes = 12\nfast_lane = true', "items[0].fast_lane",
     "one of id, name, name_en"),
    ('cross_region = true', 'cross_region = 1', "cross_region", "true or false"),
])
def test_mistakes_are_named(tmp_path, old, new, key, expected):
    path = write(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        load_catalogue(path)
    assert err.value.file == str(path)
    assert err.value.key.endswith(key)
    assert expected in err.value.expected


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_catalogue(tmp_path / "nope.toml")


def test_24_hour_span_and_without_limits(tmp_path, catalogue):
    path = write(tmp_path, 'mon = ["09:00-12:00", "13:30-17:00"]', 'mon = ["00:00-24:00"]')
    always = load_catalogue(path).item("unemployment-registration").schedule
    assert always.is_open(datetime(2026, 1, 5, 23, 59, 59, tzinfo=SHANGHAI))
    free = catalogue.without_limits()
    item = free.item("land-premium-payment")
    assert item.daily_capacity == 0 and item.per_person_daily_limit == 0
    assert item.schedule.is_open(datetime(2026, 1, 4, 3, 0, tzinfo=SHANGHAI))  # Sunday night


def test_initials_per_category_match_the_item_names(catalogue):
    """Given the shipped catalogue, when the A–Z strip asks for one category's letters, then they
    are exactly the first pinyin letters of that category's items, from the cached initials."""
    from kiosk.catalogue import initials_of

    for category in catalogue.categories:
        expected = sorted({initials_of(i.name)[:1] for i in catalogue.items_in(category.code)}
                          - {""})
        assert catalogue.initials(category.code) == expected
    assert "S" in catalogue.initials("social")
    assert set(catalogue.initials()) >= set(catalogue.initials("social"))


# ---- what the service guide reads -----------------------------------------------------------
@pytest.mark.parametrize(("old", "new", "key", "expected"), [
    ('copies = 1, pages = 2, original = true }', 'copies = 1, pages = 0, original = true }',
     "items[0].materials[0].pages", "an integer from 1 to 50"),
    ('copies = 1, pages = 2, original = true }', 'copies = 1, pages = "2", original = true }',
     "items[0].materials[0].pages", "an integer"),
    ('copies = 1, pages = 2, original = true }', 'copies = 1, pages = 2, original = "yes" }',
     "items[0].materials[0].original", "true or false"),
    ('delivery = ["window"]', 'delivery = ["drone"]', "items[0].delivery[0]",
     "one of window, locker, post"),
    ('delivery = ["window"]', 'delivery = []', "items[0].delivery", "at least one of"),
    ('delivery = ["window"]', 'delivery = ["window", "window"]', "items[0].delivery",
     "each delivery choice once"),
    ('{ id = "end-contract-proof"', '{ id = "id-card"', "items[0].materials[1].id",
     "a material id used once per item"),
    ('conditions_en = ["Workers', 'conditions_en = ["Extra", "Workers', "items[0].conditions_en",
     "1 English lines"),
])
def test_guide_fields_mistakes_are_one_clear_line(tmp_path, old, new, key, expected):
    """Given a bad page count, original flag, delivery choice, material id or English
    conditions, then loading names the file, the key, what was found and what was expected."""
    path = write(tmp_path, old, new)
    with pytest.raises(ConfigError) as err:
        load_catalogue(path)
    assert err.value.file == str(path)
    assert err.value.key.endswith(key), err.value.key
    assert expected in err.value.expected, err.value.expected
    assert "\n" not in str(err.value)


def test_shipped_catalogue_has_what_the_guide_needs(catalogue):
    """Given the shipped catalogue, then every item has English conditions and a department in
    English, instant items a legal limit, every material an explicit id and a page count, the
    delivery choices are realistic (instant registrations at the window, certificates also by
    post), and a material a bundle shares with its items has one id."""
    from kiosk.catalogue import DELIVERY_CHOICES

    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    assert text.count("{ id = ") == sum(len(i.materials) for i in catalogue.items)
    for item in catalogue.items:
        assert len(item.conditions_en) == len(item.conditions) and item.department_en, item.id
        assert item.legal_days >= item.promised_days and item.legal_days > 0, item.id
        assert set(item.delivery) <= set(DELIVERY_CHOICES) and item.delivery[0] == "window"
        assert all(1 <= m.pages <= 50 for m in item.materials)
    assert catalogue.item("unemployment-registration").delivery == ("window",)
    assert "post" in catalogue.item("social-security-card").delivery
    assert catalogue.item("business-licence").delivery == ("window", "locker", "post")
    id_card = catalogue.item("unemployment-registration").materials[0]
    assert (id_card.id, id_card.original, id_card.pages) == ("id-card", True, 2)
    for bundle in (i for i in catalogue.items if i.is_bundle):
        ids = {m.id for m in bundle.materials}
        names = {m.name for m in bundle.materials}
        for member in bundle.bundle:
            for m in catalogue.item(member).materials:
                # the same document named alike in the bundle and a member has one id
                assert m.name not in names or m.id in ids, (bundle.id, member, m.name)
    start = {m.id for m in catalogue.item("bundle-start-business").materials}
    assert {m.id for m in catalogue.item("business-licence").materials} <= start
    retire = {m.id for m in catalogue.item("bundle-retirement").materials}
    assert "id-card" in retire and "id-card" in {
        m.id for m in catalogue.item("pension-entitlement-check").materials}
