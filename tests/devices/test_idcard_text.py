"""Card text block, pure: all four layouts field by field, nation table, dates, ID check."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.idcard.base import CardReadError, CardType, IdCard
from drivers.idcard.errors import TextDecodeError
from drivers.idcard.samples import SAMPLE_CARDS
from drivers.idcard.text import (
    NATIONS,
    Y_ISSUER,
    check_char,
    decode_text,
    encode_text,
    id_number_valid,
)


def decode_or_none(raw: bytes) -> IdCard | None:
    """Decode, turning only our own error into None (anything else fails the test)."""
    try:
        return decode_text(raw)
    except TextDecodeError:
        return None


def block(fields: dict[int, str], mark: str = " ") -> bytes:
    """A 256-byte text block built by hand from byte offsets, independent of encode_text."""
    chars = [" "] * 128
    for offset, value in fields.items():
        chars[offset // 2:offset // 2 + len(value)] = list(value)
    chars[124] = mark
    return "".join(chars).encode("utf-16-le")


RESIDENT = {0: "张三", 30: "1", 32: "01", 36: "19900307", 52: "北京市朝阳区建国路88号",
            122: "110105199003071239", 158: "北京市公安局朝阳分局", 188: "20200501",
            204: "20400501"}


def test_resident_card_field_by_field():
    """Given a resident block laid out by offset / when decoded / then every field."""
    card = decode_text(block(RESIDENT), photo_wlt=b"w" * 1024)
    assert card.card_type is CardType.RESIDENT
    assert (card.name, card.sex, card.nation) == ("张三", "男", "汉")
    assert card.birth_date == date(1990, 3, 7)
    assert card.address == "北京市朝阳区建国路88号"
    assert card.id_number == "110105199003071239" and card.id_number_valid
    assert card.issuer == "北京市公安局朝阳分局"
    assert (card.valid_from, card.valid_until) == (date(2020, 5, 1), date(2040, 5, 1))
    assert card.photo_wlt == b"w" * 1024 and card.photo_bmp is None
    assert card.to_json()["photo"] == "not_decoded"


def test_resident_card_with_nul_type_mark_and_long_term():
    """Given a NUL type mark and 长期 as valid-until / then a resident card without expiry."""
    card = decode_text(block({**RESIDENT, 30: "2", 32: "03", 204: "长期"}, mark="\0"))
    assert card.card_type is CardType.RESIDENT
    assert (card.sex, card.nation, card.valid_until) == ("女", "回", None)
    assert not card.is_expired(date(2099, 1, 1))
    assert card.to_json()["valid_until"] == "长期"


def test_hk_macao_taiwan_permit_field_by_field():
    """Given a J block (nation reserved, pass number at 220) / then no nation, 81… ID valid."""
    card = decode_text(block({0: "陈嘉欣", 30: "2", 36: "19880512", 52: "广东省深圳市福田区",
                              122: "810000198805120040", 158: "深圳市公安局",
                              188: "20210701", 204: "20310701", 220: "H60123456",
                              238: "01"}, mark="J"))
    assert card.card_type is CardType.HK_MACAO_TAIWAN
    assert (card.name, card.sex, card.nation) == ("陈嘉欣", "女", None)
    assert card.id_number == "810000198805120040" and card.id_number_valid
    assert card.issuer == "深圳市公安局" and card.address == "广东省深圳市福田区"
    assert card.valid_until == date(2031, 7, 1)
    assert "nation" not in card.to_json() and "name_en" in card.to_json()


def test_foreign_2017_card_field_by_field():
    """Given an I block (English name 0-119, sex 120, number 122, nationality 152, Chinese
    name 158, birth 220, version 236, authority 240) / then every field."""
    card = decode_text(block({0: "SMITH, JOHN WILLIAM", 120: "1", 122: "USA117511020012",
                              152: "USA", 158: "史密斯", 188: "20180410", 204: "20280410",
                              220: "19751102", 236: "01", 240: "1500"}, mark="I"))
    assert card.card_type is CardType.FOREIGN_PERMANENT
    assert (card.name, card.name_en, card.sex) == ("史密斯", "SMITH, JOHN WILLIAM", "男")
    assert (card.nationality, card.id_number, card.issuer) == ("USA", "USA117511020012", "公安部")
    assert card.birth_date == date(1975, 11, 2)
    assert (card.valid_from, card.valid_until) == (date(2018, 4, 10), date(2028, 4, 10))
    assert card.id_number_valid
    assert card.to_json()["nationality"] == "USA"


def test_foreign_2017_number_must_agree_with_nationality_and_birth():
    """Given an I card whose number embeds another birth date / then the check fails."""
    card = decode_text(block({0: "DOE, JANE", 120: "2", 122: "USA117511030012", 152: "USA",
                              188: "20180410", 204: "20280410", 220: "19751102"}, mark="I"))
    assert not card.id_number_valid
    assert card.name == "DOE, JANE"  # no Chinese name: the English one stands in


def test_foreign_2023_card_joins_the_split_english_name():
    """Given a Y block whose English name runs over 35 characters (52… and 220…) / then the
    name is joined, nationality read at 242, issuer is the immigration administration."""
    long_name = "MONTGOMERY-WORTHINGTON, ALEXANDRA ELIZABETH"
    card = decode_text(block({0: "蒙哥马利", 30: "1", 32: "00", 36: "19850310",
                              52: long_name[:35], 122: "911826198503100011", 188: "20231201",
                              204: "20331201", 220: long_name[35:], 242: "GBR"}, mark="Y"))
    assert card.card_type is CardType.FOREIGN_PERMANENT_2023
    assert (card.name, card.name_en, card.nationality) == ("蒙哥马利", long_name, "GBR")
    assert card.issuer == Y_ISSUER and card.sex == "男"
    assert card.id_number_valid


@pytest.mark.parametrize("name", sorted(SAMPLE_CARDS))
def test_encode_then_decode_gives_the_same_card(name):
    """Given each sample card / when encoded and decoded / then it is unchanged."""
    card = SAMPLE_CARDS[name]
    raw = encode_text(card)
    assert len(raw) == 256
    assert decode_text(raw) == card


def test_encode_text_is_the_hand_layout():
    """Given the resident sample / then encode_text puts fields at the reference offsets."""
    raw = encode_text(SAMPLE_CARDS["resident"])
    assert raw[0:4] == "张三".encode("utf-16-le")
    assert raw[122:158] == SAMPLE_CARDS["resident"].id_number.encode("utf-16-le")
    assert raw[248:250] == b" \x00"
    assert encode_text(SAMPLE_CARDS["hk_permit"])[248:250] == b"J\x00"


def test_sample_set_covers_what_the_kiosk_needs():
    """Given the samples / then valid, elderly (>= 75), expired, 长期, J, I, Y are all there."""
    today = date(2026, 6, 1)
    cards = SAMPLE_CARDS
    assert not cards["resident"].is_expired(today)
    assert cards["elderly"].age_on(today) >= 75
    assert cards["expired"].is_expired(today)
    assert cards["long_term"].valid_until is None
    types = {c.card_type for c in cards.values()}
    assert types == set(CardType)
    assert all(c.id_number_valid for c in cards.values())
    assert all(id_number_valid(c.id_number, c.birth_date) for c in cards.values()
               if c.card_type is not CardType.FOREIGN_PERMANENT)


def test_nation_table_is_complete():
    """Given GB 3304 / then 01..56 plus 97 and 98, and every name distinct."""
    assert sorted(NATIONS) == [f"{i:02d}" for i in range(1, 57)] + ["97", "98"]
    assert len(set(NATIONS.values())) == 58
    assert (NATIONS["05"], NATIONS["43"]) == ("维吾尔", "乌孜别克")
    assert NATIONS["98"] == "外国血统中国籍人士"


@pytest.mark.parametrize(("number", "valid"), [
    ("11010519491231002X", True),   # the reference's example
    ("11010519491231002x", True),   # lower-case x is still read as the check
    ("110105194912310021", False),  # wrong check character
    ("810000198805120040", True),   # Hong Kong permit: checksum only, no mainland region
    ("830000198805120047", False),  # Taiwan prefix, wrong check
    ("11010519491331002X", False),  # month 13
    ("1101051949123100", False),    # too short
    ("11010519491231002Y", False),
])
def test_gb11643_check(number, valid):
    """Given an ID number / then the GB 11643 check says whether it can be real."""
    assert id_number_valid(number) is valid


def test_check_char_and_birth_date_agreement():
    """Given 17 digits / then the computed check; a number whose date differs from the card's
    birth date does not pass."""
    assert check_char("11010519491231002") == "X"
    assert check_char("83000019880512004") in "0123456789X"
    assert not id_number_valid("11010519491231002X", date(1949, 12, 30))
    with pytest.raises(ValueError):
        check_char("1234")


@pytest.mark.parametrize(("fields", "mark", "fragment"), [
    ({**RESIDENT, 36: "19901307"}, " ", "birth date"),
    ({**RESIDENT, 30: "3"}, " ", "sex"),
    ({**RESIDENT, 32: "77"}, " ", "nation"),
    ({**RESIDENT, 204: "2040-5-1"}, " ", "valid-until"),
    (RESIDENT, "Z", "card type"),
])
def test_malformed_fields_raise_text_decode_error(fields, mark, fragment):
    """Given a block with one bad field / then a TextDecodeError (a CardReadError) naming it."""
    with pytest.raises(TextDecodeError, match=fragment) as info:
        decode_text(block(fields, mark))
    assert isinstance(info.value, CardReadError)


def test_wrong_size_and_non_ucs2_blocks_are_rejected():
    """Given 255 bytes, a lone surrogate, or a surrogate pair / then TextDecodeError."""
    with pytest.raises(TextDecodeError):
        decode_text(bytes(255))
    with pytest.raises(TextDecodeError):
        decode_text(b"\x00\xd8" + block(RESIDENT)[2:])
    with pytest.raises(TextDecodeError):
        decode_text("😀".encode("utf-16-le") + block(RESIDENT)[4:])


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=300))
def test_random_bytes_decode_or_raise_only_our_error(raw):
    """Given arbitrary bytes / then a card or TextDecodeError, nothing else."""
    card = decode_or_none(raw)
    assert card is None or (len(raw) == 256 and isinstance(card.card_type, CardType))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(SAMPLE_CARDS)), st.integers(0, 255), st.integers(0, 255))
def test_one_corrupted_byte_decodes_or_raises_only_our_error(name, pos, value):
    """Given a real block with one byte changed / then a card or TextDecodeError."""
    raw = bytearray(encode_text(SAMPLE_CARDS[name]))
    raw[pos] = value
    card = decode_or_none(bytes(raw))
    assert card is None or isinstance(card, IdCard)
