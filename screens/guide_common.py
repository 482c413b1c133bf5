"""What the service-guide (办事指南) views share: the base class binding a view to ``GuideFlow``,
and the guide's row widgets (an item row for the RecycleView list, a fact, a material).

The guide's state lives in ``ctx.flows.guide``; a view draws it and forwards taps. Nothing here
decides anything, touches the database or starts a thread; every word of a page comes finished
from ``kiosk.flows.guide_page``.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.flows.guide import GuideFlow
from kiosk.flows.guide_state import GuideState
from screens.widgets import FlowView

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class GuideItemRow(ButtonBehavior, BoxLayout):
    """One item in the RecycleView list; every property comes from the list's data dicts."""

    ident = StringProperty("")
    item_id = StringProperty("")
    label = StringProperty("")
    mark = StringProperty("")
    row_size = ListProperty([0, 0])  # (ignored, height): the list's key_size


class GuideFact(BoxLayout):
    """A heading and its text (办理条件, 法定时限 …) on the item page."""

    label = StringProperty("")
    value = StringProperty("")
    value_ident = StringProperty("")  # names the value's label for tests


class GuideMaterial(BoxLayout):
    """One material on the page: name, form (original/copy, copies, pages), 容缺 note."""

    name_ident = StringProperty("")  # names the name's label for tests
    name = StringProperty("")
    form = StringProperty("")
    note = StringProperty("")
    deferrable = BooleanProperty(False)


class GuideView(FlowView):
    """Base of the guide's views (``FlowView`` on ``GuideFlow``)."""

    flow_name = GuideFlow.name

    @property
    def flow(self) -> GuideFlow:
        return self.app.ctx.flows.guide  # type: ignore[no-any-return]

    @property
    def state(self) -> GuideState:
        return self.flow.state
