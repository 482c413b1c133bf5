"""The live camera preview on the maintenance devices page, with the document detector's
outline drawn on it, so a technician can aim and focus the camera at the kiosk.

Asks the camera for its newest frame about 15 times a second (``Camera.latest_frame`` never
waits), shrinks it, finds the page with the same detector the submission journey uses
(``drivers.camera.document.find_page``) and draws its outline in green. Display only: it keeps
no frame beyond the one on screen and stops asking the moment it leaves the screen.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.image import Image

from drivers.camera.base import Camera
from drivers.camera.document import find_page

PREVIEW_SIZE = (640, 360)
FPS = 15.0


class CameraPreview(Image):
    frames = NumericProperty(0)  # frames drawn (tests wait on it)
    found = BooleanProperty(False)  # the detector sees a page in the newest frame

    def __init__(self, camera: Any, **kwargs: Any) -> None:
        super().__init__(size_hint_y=None, height=PREVIEW_SIZE[1] * 1.5, fit_mode="contain",
                         **kwargs)
        self._camera = camera if isinstance(camera, Camera) else None
        self._event: Any = None
        self.bind(parent=self._on_parent)

    def _on_parent(self, _widget: object, parent: object) -> None:
        """Ask for frames only while on screen (the page is redrawn often: off, then on)."""
        if parent is None and self._event is not None:
            self._event.cancel()
            self._event = None
        elif parent is not None and self._event is None:
            self._event = Clock.schedule_interval(self._tick, 1 / FPS)

    def _tick(self, _dt: float) -> None:
        if self._camera is None:
            return
        try:
            frame = self._camera.latest_frame()
        except Exception:  # an unplugged camera shows as offline on the page already
            return
        if frame is None:
            return
        small = cv2.resize(frame, PREVIEW_SIZE, interpolation=cv2.INTER_AREA)
        corners = find_page(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY))
        self.found = corners is not None
        if corners is not None:
            cv2.polylines(small, [corners.astype(np.int32).reshape(-1, 1, 2)], True,
                          (60, 200, 60), 4)
        rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)[::-1]  # Kivy's textures start bottom-left
        texture = self.texture
        if texture is None or tuple(texture.size) != PREVIEW_SIZE:
            texture = Texture.create(size=PREVIEW_SIZE, colorfmt="rgb")
        texture.blit_buffer(np.ascontiguousarray(rgb).tobytes(), colorfmt="rgb",
                            bufferfmt="ubyte")
        self.texture = texture
        self.canvas.ask_update()
        self.frames += 1
