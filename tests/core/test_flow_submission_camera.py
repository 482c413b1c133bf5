"""The submission flow on the REAL page detector (``drivers.camera`` through
``drivers.factory.document_functions``, as the app wires it) and the simulated camera playing
generated document photographs: a good page is taken by itself and straightened; each defect is
refused with its own verdict and message and never taken."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from sqlalchemy import Engine

from drivers.camera.sample_pages import DEFECTS
from drivers.factory import document_functions
from kiosk.catalogue import Catalogue
from kiosk.clock import ManualClock
from kiosk.events import call_now
from kiosk.flows.base import InlineWorker
from kiosk.flows.submission_capture import DocumentTools, PageCapture
from kiosk.flows.submission_state import SubmitStep
from kiosk.i18n import tr
from tests.core.test_flow_submission import Desk, _config, build_desk

SEEDS = (0, 1, 2)


@pytest.fixture
def desk(engine: Engine, catalogue: Catalogue, clock: ManualClock, tmp_path: Path
         ) -> Iterator[Desk]:
    config = _config(tmp_path)
    desk = build_desk(engine, catalogue, clock, config, tmp_path / "var", tmp_path / "printouts")
    tools = DocumentTools(*document_functions(config.submission.steady_frames))
    desk.flow.capture = PageCapture(tools, InlineWorker(call_now), config.submission.jpeg_quality)
    yield desk
    desk.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_a_good_page_is_taken_by_itself_and_straightened(desk: Desk, seed: int) -> None:
    """Given a good photograph of a page held under the camera, when the preview runs, then
    within a second of frames the page is taken, shown upright (portrait, A4-like) as a JPEG,
    and the outline was drawn from the detector's corners."""
    desk.identify()
    desk.camera.show_document(None, seed)
    for _ in range(15):
        desk.frames(1)
        if desk.state.step is SubmitStep.CONFIRM_PAGE:
            break
    assert desk.state.step is SubmitStep.CONFIRM_PAGE
    assert desk.state.guidance is not None and desk.state.guidance.corners is not None
    page = cv2.imdecode(np.frombuffer(desk.state.pending_page or b"", np.uint8),
                        cv2.IMREAD_COLOR)
    assert page is not None
    h, w = page.shape[:2]
    assert 1.2 < h / w < 1.7  # an upright A4 page, not the landscape frame


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("defect", [d for d in DEFECTS if d is not None])
def test_each_defect_is_refused_with_its_own_message(desk: Desk, defect: str,
                                                     seed: int) -> None:
    """Given a photograph with {defect}, when the preview runs for a second, then the guidance
    names that defect (its own message, translated) and no page is taken."""
    desk.identify()
    desk.camera.show_document(defect, seed)
    desk.frames(15)
    assert desk.state.step is SubmitStep.CAPTURE
    guidance = desk.state.guidance
    assert guidance is not None
    assert guidance.verdict == defect
    assert guidance.message and tr(guidance.message, "en") != guidance.message
    assert desk.state.filed[0].pages == ()
