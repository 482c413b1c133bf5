"""使用帮助: how to use the kiosk, for a citizen who has never seen one.

Static guidance only, translated through ``kiosk.i18n``; nothing here reads devices or sessions.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from screens.widgets import KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

# (heading, text) msgid pairs, in the order a first-time user needs them
TOPICS: tuple[tuple[str, str], ...] = (
    ("如何开始", "在首页点击要办理的业务。全程只需点击屏幕，无需键盘。"),
    ("刷身份证", "需要核验身份时，请将身份证平放在屏幕下方的感应区，听到提示音后再拿开。"),
    ("扫描二维码", "预约码、回执上的二维码，请对准扫码窗口，距离约 10 厘米。"),
    ("看不清字？", "在首页点击“长辈模式”，字更大，操作时间更长。"),
    ("离开时", "办理完成或长时间无操作，本机会自动返回首页并清除您的个人信息。"),
    ("需要帮助", "请到咨询台或任一综合窗口，工作人员会帮您办理。"),
)


class HelpScreen(KioskScreen):
    title = StringProperty("使用帮助")

    def on_kv_post(self, base_widget: object) -> None:
        from screens.widgets import BodyLabel, HeadingLabel

        box = self.ids.topics
        for heading, text in TOPICS:
            head = HeadingLabel()
            body = BodyLabel()
            # bind per language so the page re-renders on the 中文/English toggle
            self.app.bind(lang=lambda _a, lang, h=head, b=body, m=(heading, text):
                          self._render(h, b, m, lang))
            self._render(head, body, (heading, text), self.app.lang)
            box.add_widget(head)
            box.add_widget(body)

    def _render(self, head: object, body: object, msgids: tuple[str, str], lang: str) -> None:
        head.text = self.app.tr(msgids[0], lang)  # type: ignore[attr-defined]
        body.text = self.app.tr(msgids[1], lang)  # type: ignore[attr-defined]
