"""Sample cards for the emulator, the simulator, the demo and the tests.

Invented people; every ID number passes the GB 11643 check (the check character is computed, not
typed). Dates are fixed, so "expired" and "elderly" hold for any date from 2026 to 2039. This
module must never hold a real person's data.
"""

from __future__ import annotations

from datetime import date

from drivers.idcard.base import CardType, IdCard
from drivers.idcard.text import Y_ISSUER, check_char


def _id(first17: str) -> str:
    return first17 + check_char(first17)


SAMPLE_CARDS: dict[str, IdCard] = {
    # an ordinary resident card, valid until 2040
    "resident": IdCard(
        card_type=CardType.RESIDENT, name="张三", sex="男", nation="汉",
        birth_date=date(1990, 3, 7), address="北京市朝阳区建国路88号院3号楼2单元501",
        id_number=_id("11010519900307123"), issuer="北京市公安局朝阳分局",
        valid_from=date(2020, 5, 1), valid_until=date(2040, 5, 1)),
    # born 1940: 85 or more from 2025 on -> green channel (priority queue)
    "elderly": IdCard(
        card_type=CardType.RESIDENT, name="李秀英", sex="女", nation="回",
        birth_date=date(1940, 8, 15), address="北京市朝阳区安贞里二区7号楼1门302",
        id_number=_id("11010519400815002"), issuer="北京市公安局朝阳分局",
        valid_from=date(2010, 9, 1), valid_until=None),
    # expired in 2015: the kiosk must refuse it and send the citizen to the window
    "expired": IdCard(
        card_type=CardType.RESIDENT, name="王五", sex="男", nation="汉",
        birth_date=date(1970, 1, 1), address="福建省福州市鼓楼区五四路158号",
        id_number=_id("35010219700101001"), issuer="福州市公安局鼓楼分局",
        valid_from=date(2005, 6, 20), valid_until=date(2015, 6, 20)),
    # 长期 (no expiry), issued after 46
    "long_term": IdCard(
        card_type=CardType.RESIDENT, name="欧阳娜娜", sex="女", nation="壮",
        birth_date=date(1965, 6, 20), address="广东省广州市天河区体育西路103号",
        id_number=_id("44010619650620152"), issuer="广州市公安局天河分局",
        valid_from=date(2012, 3, 15), valid_until=None),
    # Hong Kong residence permit (J): 810000 region, no nation
    "hk_permit": IdCard(
        card_type=CardType.HK_MACAO_TAIWAN, name="陈嘉欣", sex="女",
        birth_date=date(1988, 5, 12), address="广东省深圳市福田区福华路1号",
        id_number=_id("81000019880512004"), issuer="深圳市公安局",
        valid_from=date(2021, 7, 1), valid_until=date(2031, 7, 1)),
    # 2017 foreign permanent resident card (I): 15-character number
    "foreigner_2017": IdCard(
        card_type=CardType.FOREIGN_PERMANENT, name="史密斯", name_en="SMITH, JOHN WILLIAM",
        sex="男", birth_date=date(1975, 11, 2), id_number="USA117511020012",
        nationality="USA", issuer="公安部",
        valid_from=date(2018, 4, 10), valid_until=date(2028, 4, 10)),
    # 2023 foreign permanent resident card (Y): 18 digits = 9 + province (11) + country (826,
    # GBR) + birth date + sequence + check; English name over 35 characters (split field)
    "foreigner_2023": IdCard(
        card_type=CardType.FOREIGN_PERMANENT_2023, name="蒙哥马利",
        name_en="MONTGOMERY-WORTHINGTON, ALEXANDRA ELIZABETH",
        sex="男", birth_date=date(1985, 3, 10), id_number=_id("91182619850310001"),
        nationality="GBR", issuer=Y_ISSUER,
        valid_from=date(2023, 12, 1), valid_until=date(2033, 12, 1)),
}
