"""OpenCvCamera on a recorded video file: worker thread, newest frame, health, clean stop."""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from drivers.base import DeviceUnplugged, HealthState
from drivers.camera.opencv_camera import OpenCvCamera


def _camera_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("camera ")]


@pytest.fixture
def video(tmp_path) -> str:
    """Ten 320×240 frames at 100 fps, frame i filled with gray level 20·i."""
    path = str(tmp_path / "desk.avi")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 100.0, (320, 240))
    assert writer.isOpened(), "OpenCV cannot write MJPG here"
    for i in range(10):
        writer.write(np.full((240, 320, 3), 20 * i, np.uint8))
    writer.release()
    return path


def test_frames_arrive_then_end_of_stream_goes_offline(video):
    """Given a video file as the camera, when opened, then latest_frame returns frames of its size
    without blocking; when the file ends, health turns OFFLINE saying it stopped delivering;
    close stops the worker thread."""
    camera = OpenCvCamera(video, stall_timeout=0.2, reconnect=False)
    assert camera.latest_frame() is None
    camera.open()
    try:
        deadline = time.monotonic() + 5.0
        while camera.latest_frame() is None:
            assert time.monotonic() < deadline, camera.health()
            time.sleep(0.01)
        assert camera.latest_frame().shape == (240, 320, 3)
        while camera.health().state is HealthState.OK:
            assert time.monotonic() < deadline, "never noticed the end of the video"
            time.sleep(0.01)
        assert camera.health().state is HealthState.OFFLINE
        assert "stopped delivering" in camera.health().reason
        assert camera.frames_captured == 10
        # the newest frame is the last one written (gray 180), not an old one
        assert abs(int(camera.latest_frame().mean()) - 180) <= 3
    finally:
        camera.close()
    assert _camera_threads() == []
    assert camera.latest_frame() is None


def test_missing_device_is_offline_with_reason(tmp_path):
    """Given a device path that does not exist, when opened, then DeviceUnplugged, health OFFLINE
    with the reason, and no worker thread left behind."""
    camera = OpenCvCamera(str(tmp_path / "video9"))
    with pytest.raises(DeviceUnplugged) as info:
        camera.open()
    assert info.value.message_zh == "摄像头未连接"
    assert camera.health().state is HealthState.OFFLINE
    assert "cannot open camera" in camera.health().reason
    assert _camera_threads() == []


def test_reopen_and_close_twice_leave_no_threads(video):
    """Given a camera opened, reopened and closed twice, then exactly no worker thread remains."""
    camera = OpenCvCamera(video, stall_timeout=0.2, reconnect=True, reconnect_interval=0.05)
    camera.open()
    camera.open()
    assert len(_camera_threads()) == 1
    camera.close()
    camera.close()
    assert _camera_threads() == []
