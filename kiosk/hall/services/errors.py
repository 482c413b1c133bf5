"""Refusals the services raise, with words for the staff page (English and Chinese).

The API maps them to HTTP answers; messages never contain personal data.
"""

from __future__ import annotations


class ServiceRefusal(Exception):
    status_code = 422

    def __init__(self, message_en: str, message_zh: str) -> None:
        super().__init__(message_en)
        self.message_en, self.message_zh = message_en, message_zh


class Forbidden(ServiceRefusal):
    status_code = 403


class NotFound(ServiceRefusal):
    status_code = 404


class CaseNotFound(NotFound):
    def __init__(self, case_number: str) -> None:
        super().__init__(f"no case {case_number}", f"没有找到办件 {case_number}")


class FollowUpNotFound(NotFound):
    def __init__(self, rating_id: str) -> None:
        super().__init__(f"no bad-rating follow-up {rating_id}", f"没有找到差评整改 {rating_id}")


class TransitionRefused(ServiceRefusal):
    status_code = 409

    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"a case that is {current} cannot become {wanted}",
                         f"办件当前状态为 {current}，不能改为 {wanted}")
        self.current, self.wanted = current, wanted


class RecordExists(ServiceRefusal):
    status_code = 409


class WrongHall(ServiceRefusal):
    def __init__(self, found: str, expected: str) -> None:
        super().__init__(f"hall {found!r}: this server serves hall {expected!r}",
                         f"大厅编码 {found} 与本服务器 {expected} 不符")
