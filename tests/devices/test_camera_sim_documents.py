"""The simulated camera plays generated document photos: the capture preview's demo and tests."""

from __future__ import annotations

import numpy as np
import pytest

from drivers.camera.document import Verdict, assess_frame, capture_document
from drivers.camera.sample_pages import photograph, render_page
from drivers.camera.simulated import SimulatedCamera
from drivers.camera.steady import SteadyCapture
from drivers.scanner.decode import decode_image


@pytest.fixture
def camera() -> SimulatedCamera:
    cam = SimulatedCamera()
    cam.open()
    return cam


@pytest.mark.parametrize("defect", [None, "glare", "cut_off", "no_page"])
def test_show_document_serves_that_shot(camera, defect):
    """Given ``show_document(defect, seed)``, when frames are taken, then each is the generated
    shot for that seed and defect, and the guidance names the defect."""
    camera.show_document(defect, seed=11)
    want = photograph(render_page(11), seed=11, defect=defect).frame
    frames = [camera.latest_frame() for _ in range(3)]
    assert all(np.array_equal(f, want) for f in frames)
    expected = Verdict.OK if defect is None else Verdict(defect)
    assert assess_frame(frames[0]).verdict is expected


def test_show_frames_plays_then_holds_last_and_auto_capture_fires(camera):
    """Given a page sliding across the desk for four frames then lying still, when the preview
    reads frame after frame through SteadyCapture, then it says hold still while it slides and
    captures once, after six still frames."""
    frame = photograph(render_page(3), seed=3).frame
    # the page 160, 120, 80, 40 px left of where it comes to rest (only desk wraps around)
    sliding = [np.roll(frame, 40 * i, axis=1) for i in range(-4, 0)]
    camera.show_frames([*sliding, frame])
    steady = SteadyCapture(steady_frames=6)
    guides = [steady.feed(assess_frame(camera.latest_frame()), at=i / 15) for i in range(12)]
    verdicts = [g.verdict for g in guides]
    assert verdicts[1:4] == [Verdict.HOLD_STILL] * 3
    assert [i for i, g in enumerate(guides) if g.capture] == [10]


def test_scene_change_returns_to_the_drawn_desk_and_qr_still_decodes(camera):
    """Given a document being shown, when ``show_qr`` is called, then the drawn desk with its QR
    code is back (existing behaviour) and ``show_frames([])`` also returns to it."""
    camera.show_document("blur", seed=1)
    camera.show_qr("M-0042")
    photo = capture_document(camera.latest_frame())
    assert [c.text for c in decode_image(photo.image)] == ["M-0042"]
    camera.show_frames([np.zeros((720, 1280, 3), np.uint8)])
    assert not camera.latest_frame().any()
    camera.show_frames([])
    assert camera.latest_frame().any()


def test_unplugged_camera_serves_nothing_even_with_documents(camera):
    """Given documents queued, when the camera is closed, then no frame comes."""
    camera.show_document(None, seed=2)
    camera.close()
    assert camera.latest_frame() is None


@pytest.mark.parametrize(("scene", "verdict"), [
    ({}, Verdict.OK),
    ({"glare": True}, Verdict.GLARE),
    ({"brightness": 1.8}, Verdict.BRIGHT),
    ({"brightness": 0.45}, Verdict.DARK),
    ({"blur": 21}, Verdict.BLUR),
    ({"page": False}, Verdict.NO_PAGE),
])
def test_drawn_desk_scenes_get_the_same_verdict_as_the_one_shot_check(camera, scene, verdict):
    """Given the simulated camera's own scenes (the ones capture_document rejects), when the
    live guidance assesses them, then it names the same problem — and accepts the plain page."""
    camera.set_scene(**scene)
    assert assess_frame(camera.latest_frame()).verdict is verdict
