"""The 256-byte card text block: decode it into an ``IdCard`` and encode an ``IdCard`` back.

Pure: bytes in, dataclass out. Four layouts share the block, told apart by the character at
offset 248 (space/NUL resident card, ``J`` Hong Kong/Macao/Taiwan residence permit, ``I``
foreign permanent resident card 2017, ``Y`` the 2023 one). Text is UCS-2 little-endian, padded
with spaces; dates are YYYYMMDD; ``长期`` means no expiry. Anything malformed raises
``TextDecodeError`` (a ``CardReadError``: the citizen re-presents the card). This module must never
mask data (masking is the screens' job) nor do I/O.
"""

from __future__ import annotations

import re
from datetime import date

from stdnum.cn import ric

from drivers.idcard.base import CardType, IdCard
from drivers.idcard.errors import TextDecodeError
from drivers.idcard.protocol import TEXT_LEN

# GB 3304 nation codes (the full table, including 97 "other" and 98 "of foreign origin").
NATIONS: dict[str, str] = {
    "01": "汉", "02": "蒙古", "03": "回", "04": "藏", "05": "维吾尔", "06": "苗", "07": "彝",
    "08": "壮", "09": "布依", "10": "朝鲜", "11": "满", "12": "侗", "13": "瑶", "14": "白",
    "15": "土家", "16": "哈尼", "17": "哈萨克", "18": "傣", "19": "黎", "20": "傈僳", "21": "佤",
    "22": "畲", "23": "高山", "24": "拉祜", "25": "水", "26": "东乡", "27": "纳西", "28": "景颇",
    "29": "柯尔克孜", "30": "土", "31": "达斡尔", "32": "仫佬", "33": "羌", "34": "布朗",
    "35": "撒拉", "36": "毛南", "37": "仡佬", "38": "锡伯", "39": "阿昌", "40": "普米",
    "41": "塔吉克", "42": "怒", "43": "乌孜别克", "44": "俄罗斯", "45": "鄂温克", "46": "德昂",
    "47": "保安", "48": "裕固", "49": "京", "50": "塔塔尔", "51": "独龙", "52": "鄂伦春",
    "53": "赫哲", "54": "门巴", "55": "珞巴", "56": "基诺", "97": "其他",
    "98": "外国血统中国籍人士",
}
_NATION_CODES = {name: code for code, name in NATIONS.items()}

SEXES = {"1": "男", "2": "女", "0": "未知", "9": "未说明"}  # GB/T 2261.1
_SEX_CODES = {name: code for code, name in SEXES.items()}

NO_EXPIRY = "长期"
# The 2017 card names its issuer by a 4-digit code; 1500 is the Ministry of Public Security.
AUTHORITIES = {"1500": "公安部"}
_AUTHORITY_CODES = {name: code for code, name in AUTHORITIES.items()}
# The 2023 card has no issuer field; it is issued by the National Immigration Administration.
Y_ISSUER = "国家移民管理局"

_TYPE_MARKS = {" ": CardType.RESIDENT, "\0": CardType.RESIDENT, "J": CardType.HK_MACAO_TAIWAN,
               "I": CardType.FOREIGN_PERMANENT, "Y": CardType.FOREIGN_PERMANENT_2023}
_MARK_OF = {CardType.RESIDENT: " ", CardType.HK_MACAO_TAIWAN: "J",
            CardType.FOREIGN_PERMANENT: "I", CardType.FOREIGN_PERMANENT_2023: "Y"}


# ---- ID numbers ---------------------------------------------------------------------------------
def check_char(first17: str) -> str:
    """GB 11643 check character for the first 17 digits (ISO 7064 MOD 11-2, by python-stdnum)."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {len(first17)} characters")
    # stdnum takes the whole number and ignores its last character, the check to be computed
    return ric.calc_check_digit(first17 + "?")


def id_number_valid(number: str, birth_date: date | None = None) -> bool:
    """GB 11643: 17 digits + check character, a real birth date (matching ``birth_date`` if given).

    No region-code check on purpose: Hong Kong/Macao/Taiwan permits (81/82/83…) and 2023 foreign
    permanent resident numbers (9…) are valid without a mainland region, and abolished counties
    still appear on cards in use.
    """
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        return False
    if check_char(number[:17]) != number[17].upper():
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return birth_date is None or born == birth_date


def foreign_2017_number_valid(number: str, nationality: str | None, birth_date: date) -> bool:
    """The 15-character 2017 foreigner number: nationality (3 letters), 2-digit authority,
    YYMMDD birth date, 4 digits. Checks its structure against the card's own fields."""
    if not re.fullmatch(r"[A-Z]{3}\d{12}", number):
        return False
    return number[:3] == nationality and number[5:11] == birth_date.strftime("%y%m%d")


# ---- decoding -----------------------------------------------------------------------------------
class _Fields:
    """Reads fields by byte offset (as the reference tables give them) from the decoded text."""

    def __init__(self, text: str) -> None:
        self._text = text

    def __call__(self, start_byte: int, length_bytes: int) -> str:
        return self._text[start_byte // 2:(start_byte + length_bytes) // 2].rstrip(" \0")


def _date(value: str, what: str) -> date:
    if not re.fullmatch(r"\d{8}", value):
        raise TextDecodeError(f"{what} {value!r} is not YYYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise TextDecodeError(f"{what} {value!r} is not a real date") from None


def _sex(value: str) -> str:
    if value not in SEXES:
        raise TextDecodeError(f"sex code {value!r} is not 1/2 (GB/T 2261.1)")
    return SEXES[value]


def _valid_until(value: str) -> date | None:
    return None if value == NO_EXPIRY else _date(value, "valid-until date")


def decode_text(raw: bytes, photo_wlt: bytes | None = None) -> IdCard:
    """Decode the 256-byte text block of any of the four card types."""
    if len(raw) != TEXT_LEN:
        raise TextDecodeError(f"text block is {len(raw)} bytes, expected {TEXT_LEN}")
    try:
        text = raw.decode("utf-16-le")
    except UnicodeDecodeError:
        raise TextDecodeError("text block is not valid UCS-2 (garbled read)") from None
    if len(text) != TEXT_LEN // 2:  # a surrogate pair would shorten it: not UCS-2
        raise TextDecodeError("text block holds characters outside UCS-2 (garbled read)")
    mark = text[124]
    if mark not in _TYPE_MARKS:
        raise TextDecodeError(f"unknown card type mark {mark!r} at offset 248")
    card_type = _TYPE_MARKS[mark]
    f = _Fields(text)
    if card_type is CardType.FOREIGN_PERMANENT:
        return _decode_foreign_2017(f, photo_wlt)
    birth = _date(f(36, 16), "birth date")
    id_number = f(122, 36)
    common = dict(name=f(0, 30), sex=_sex(f(30, 2)), birth_date=birth, id_number=id_number,
                  valid_from=_date(f(188, 16), "valid-from date"),
                  valid_until=_valid_until(f(204, 16)), photo_wlt=photo_wlt,
                  id_number_valid=id_number_valid(id_number, birth))
    if card_type is CardType.FOREIGN_PERMANENT_2023:
        name_en = (f(52, 70).ljust(35) + f(220, 22)).rstrip() if f(220, 22) else f(52, 70)
        return IdCard(card_type=card_type, issuer=Y_ISSUER, name_en=name_en,
                      nationality=f(242, 6) or None, **common)
    if card_type is CardType.HK_MACAO_TAIWAN:
        return IdCard(card_type=card_type, issuer=f(158, 30), address=f(52, 70),
                      **common)
    nation_code = f(32, 4)
    if nation_code not in NATIONS:
        raise TextDecodeError(f"nation code {nation_code!r} is not in GB 3304")
    return IdCard(card_type=card_type, issuer=f(158, 30), address=f(52, 70),
                  nation=NATIONS[nation_code], **common)


def _decode_foreign_2017(f: _Fields, photo_wlt: bytes | None) -> IdCard:
    name_en, name_zh = f(0, 120), f(158, 30)
    birth = _date(f(220, 16), "birth date")
    nationality = f(152, 6) or None
    number = f(122, 30)
    authority = f(240, 8)
    return IdCard(
        card_type=CardType.FOREIGN_PERMANENT, name=name_zh or name_en, name_en=name_en,
        sex=_sex(f(120, 2)), birth_date=birth, id_number=number,
        issuer=AUTHORITIES.get(authority, authority), nationality=nationality,
        valid_from=_date(f(188, 16), "valid-from date"), valid_until=_valid_until(f(204, 16)),
        photo_wlt=photo_wlt, id_number_valid=foreign_2017_number_valid(number, nationality, birth))


# ---- encoding (emulator, tests) -----------------------------------------------------------------
def _put(buf: list[str], start_byte: int, length_bytes: int, value: str, what: str) -> None:
    width = length_bytes // 2
    if len(value) > width:
        raise ValueError(f"{what} {value!r} longer than {width} characters")
    buf[start_byte // 2:start_byte // 2 + width] = list(value.ljust(width))


def _ymd(d: date) -> str:
    return d.strftime("%Y%m%d")


def encode_text(card: IdCard) -> bytes:
    """The 256-byte text block a reader would send for ``card`` (inverse of ``decode_text``)."""
    buf = [" "] * (TEXT_LEN // 2)
    until = NO_EXPIRY if card.valid_until is None else _ymd(card.valid_until)
    sex = _SEX_CODES[card.sex]
    if card.card_type is CardType.FOREIGN_PERMANENT:
        _put(buf, 0, 120, card.name_en or "", "English name")
        _put(buf, 120, 2, sex, "sex")
        _put(buf, 122, 30, card.id_number, "card number")
        _put(buf, 152, 6, card.nationality or "", "nationality")
        _put(buf, 158, 30, "" if card.name == card.name_en else card.name, "Chinese name")
        _put(buf, 220, 16, _ymd(card.birth_date), "birth date")
        _put(buf, 236, 4, "01", "card version")
        _put(buf, 240, 8, _AUTHORITY_CODES.get(card.issuer, card.issuer), "authority code")
    else:
        _put(buf, 0, 30, card.name, "name")
        _put(buf, 30, 2, sex, "sex")
        _put(buf, 36, 16, _ymd(card.birth_date), "birth date")
        _put(buf, 122, 36, card.id_number, "ID number")
        if card.card_type is CardType.FOREIGN_PERMANENT_2023:
            name_en = card.name_en or ""
            _put(buf, 32, 4, "00", "renewal count")
            _put(buf, 52, 70, name_en[:35], "English name")
            _put(buf, 220, 22, name_en[35:], "English name (continued)")
            _put(buf, 242, 6, card.nationality or "", "nationality")
        else:
            _put(buf, 52, 70, card.address, "address")
            _put(buf, 158, 30, card.issuer, "issuer")
            if card.card_type is CardType.RESIDENT:
                _put(buf, 32, 4, _NATION_CODES[card.nation or "汉"], "nation")
    _put(buf, 188, 16, _ymd(card.valid_from), "valid-from date")
    _put(buf, 204, 16, until, "valid-until date")
    buf[124] = _MARK_OF[card.card_type]
    return "".join(buf).encode("utf-16-le")
