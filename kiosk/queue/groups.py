"""The green-channel groups (绿色通道) and their labels: the one table screens and receipts use.

A ticket's ``priority_reason`` is a code (``elderly``, ``pregnant``…); what a person reads is the
label, a msgid rendered with ``kiosk.i18n.tr`` in their language. Configuration lists which
declared groups a hall accepts (``green_channel.groups``); a code without a label here is shown
as the code itself, so add the label (and its English in ``config/locale/en.po``) first.
Pure data: never decides who qualifies — that is ``QueueService``'s job.
"""

from __future__ import annotations

from kiosk.i18n import N_

GROUP_LABELS: dict[str, str] = {
    "elderly": N_("老年人"),
    "pregnant": N_("孕妇"),
    "military": N_("军人"),
    "disabled": N_("残疾人"),
    "appointment": N_("预约"),
}


def group_label(code: str | None) -> str:
    """The label msgid for a group code ("" for none or an unknown code)."""
    return GROUP_LABELS.get(code or "", "")
