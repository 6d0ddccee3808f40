"""Raw camera view: the rendered pad seen through the Wedge's mirror, as the camera records it.

The pad is rendered in metric pad coordinates (the calibration's warped image, ``warp_size_px``
at ``mm_per_px``), then mapped into the raw frame with the inverse of the 4-corner perspective
warp that processing applies (``corners_px``: top-left, top-right, bottom-left, bottom-right in
raw pixels -> the corners of the warped image). Outside the pad the raw frame shows the sensor
housing, modelled by a coarse grid measured on the real recordings.
"""

from __future__ import annotations

import cv2
import numpy as np

from tactile.errors import ConfigError
from tactile.processing.warp import pad_homography
from tactile.sensor import SensorCalibration

#: Mean first frame of the 15 real Wedge recordings (640x480 raw), averaged to 12x16 cells, BGR.
WEDGE_RAW_SURROUND_GRID_BGR: tuple[tuple[tuple[int, int, int], ...], ...] = (
    ((7, 13, 13), (10, 16, 17), (12, 18, 19), (13, 19, 20), (13, 19, 21), (13, 19, 20),
     (13, 19, 20), (12, 20, 20), (18, 25, 30), (16, 22, 28), (7, 12, 19), (9, 14, 17),
     (11, 17, 17), (132, 88, 91), (169, 126, 128), (143, 128, 131)),
    ((6, 9, 9), (35, 40, 43), (56, 49, 45), (44, 44, 41), (37, 37, 36), (26, 28, 28),
     (22, 25, 26), (19, 24, 25), (16, 23, 24), (19, 26, 30), (19, 25, 32), (11, 16, 21),
     (49, 42, 46), (165, 118, 123), (131, 113, 116), (161, 124, 115)),
    ((15, 15, 17), (67, 70, 85), (94, 100, 103), (113, 116, 116), (133, 125, 125),
     (137, 126, 131), (132, 117, 127), (111, 101, 115), (104, 86, 96), (87, 69, 76),
     (53, 51, 58), (28, 34, 38), (80, 91, 105), (108, 105, 110), (126, 111, 112), (128, 118, 122)),
    ((17, 18, 20), (78, 85, 90), (97, 109, 100), (121, 119, 108), (145, 125, 115),
     (160, 128, 118), (165, 127, 120), (158, 123, 120), (140, 119, 121), (114, 111, 118),
     (85, 102, 108), (54, 64, 61), (88, 115, 102), (96, 106, 109), (106, 110, 118),
     (109, 116, 126)),
    ((14, 18, 20), (82, 97, 94), (96, 123, 102), (108, 132, 114), (116, 131, 126),
     (120, 133, 131), (122, 131, 134), (120, 128, 135), (114, 122, 131), (101, 115, 123),
     (85, 107, 108), (56, 74, 65), (95, 130, 108), (92, 109, 112), (98, 111, 121), (102, 116, 128)),
    ((17, 22, 22), (86, 105, 97), (100, 139, 101), (108, 146, 114), (110, 139, 129),
     (112, 138, 136), (113, 137, 141), (110, 134, 141), (105, 126, 138), (97, 118, 128),
     (86, 110, 110), (56, 76, 67), (95, 130, 110), (92, 111, 112), (98, 113, 123), (102, 117, 128)),
    ((17, 24, 23), (88, 109, 96), (105, 152, 95), (113, 160, 107), (114, 146, 126),
     (114, 141, 136), (113, 139, 140), (110, 134, 140), (104, 126, 136), (96, 118, 125),
     (87, 110, 108), (57, 78, 69), (92, 130, 111), (91, 110, 110), (97, 112, 121), (100, 115, 125)),
    ((14, 21, 21), (86, 107, 95), (104, 148, 98), (115, 165, 109), (115, 148, 131),
     (114, 139, 143), (112, 136, 149), (108, 130, 148), (102, 123, 137), (94, 114, 120),
     (84, 107, 101), (54, 77, 69), (88, 127, 108), (88, 107, 105), (95, 110, 117), (99, 114, 125)),
    ((16, 20, 22), (83, 104, 96), (98, 129, 111), (115, 158, 128), (115, 143, 155),
     (113, 133, 169), (110, 128, 171), (106, 123, 167), (100, 116, 152), (91, 109, 124),
     (81, 101, 89), (51, 72, 62), (86, 126, 98), (85, 103, 102), (93, 108, 122), (98, 114, 132)),
    ((14, 18, 26), (75, 86, 114), (96, 106, 159), (110, 127, 182), (113, 132, 188),
     (108, 124, 181), (105, 118, 175), (101, 114, 166), (97, 109, 150), (79, 91, 111),
     (58, 72, 63), (34, 49, 39), (75, 110, 63), (82, 98, 99), (91, 105, 128), (99, 115, 144)),
    ((10, 13, 20), (69, 72, 110), (95, 95, 147), (96, 98, 150), (88, 99, 116), (75, 84, 106),
     (59, 65, 90), (40, 47, 64), (21, 27, 36), (14, 21, 23), (19, 27, 27), (12, 19, 18),
     (30, 40, 39), (83, 95, 113), (90, 103, 135), (102, 117, 156)),
    ((7, 10, 10), (19, 25, 27), (20, 26, 30), (19, 25, 26), (19, 25, 26), (17, 23, 25),
     (15, 21, 23), (13, 20, 21), (13, 20, 21), (18, 23, 25), (11, 14, 14), (8, 14, 14),
     (9, 16, 17), (70, 77, 131), (97, 107, 145), (108, 121, 165)),
)  # fmt: skip


#: The real Wedge's raw view moves under load (phase correlation of the whole raw frame,
#: reference vs peak frame, 15 grasps at 16-25 N: dx -0.19 .. -0.41 px, i.e. -0.008 ..
#: -0.017 px/N, mean -0.0128; dy +0.02 .. -0.10 px, mean -0.0017 px/N). The pad's sharp
#: outline against the housing then shows as bright lines in |peak - reference|.
WEDGE_RAW_SHIFT_PX_PER_N: tuple[float, float] = (-0.0128, -0.0017)


class RawCamera:
    """Maps pad images (``pad_size_hw``) into raw frames (``raw_size_hw``) through the mirror."""

    def __init__(
        self,
        calibration: SensorCalibration,
        raw_size_hw: tuple[int, int],
        *,
        surround_bgr: np.ndarray | None = None,
    ) -> None:
        if calibration.corners_px is None or calibration.warp_size_px is None:
            raise ConfigError(
                f"calibration {calibration.calibration_id!r} has no pad corners / warp size, "
                "so there is no raw camera view to simulate",
                hint="use a calibration with corners_px and warp_size_px (e.g. "
                "'wedge-reference-v1'), or raw_camera=False",
            )
        w, h = calibration.warp_size_px
        self.pad_size_hw = (int(h), int(w))
        self.raw_size_hw = raw_size_hw
        self._raw_to_pad = pad_homography(calibration)
        rh, rw = raw_size_hw
        if surround_bgr is None:
            grid = np.asarray(WEDGE_RAW_SURROUND_GRID_BGR, dtype=np.float32)
            self.surround = cv2.resize(grid, (rw, rh), interpolation=cv2.INTER_CUBIC)
        else:
            image = np.asarray(surround_bgr, dtype=np.float32)
            self.surround = cv2.resize(image, (rw, rh), interpolation=cv2.INTER_AREA)

    @classmethod
    def from_config(
        cls, calibration: SensorCalibration, raw_size_hw: tuple[int, int], surround_path: str
    ) -> RawCamera:
        """A camera whose housing view is the image at ``surround_path`` (BGR; "" for the
        shipped grid), e.g. a real no-contact raw frame of the sensor being twinned."""
        if not surround_path:
            return cls(calibration, raw_size_hw)
        image = cv2.imread(surround_path, cv2.IMREAD_COLOR)
        if image is None:
            raise ConfigError(
                f"raw surround image {surround_path} cannot be read",
                hint="pass the path of a PNG of a raw no-contact frame, or '' for the default",
            )
        return cls(calibration, raw_size_hw, surround_bgr=image)

    def project(
        self, pad_image: np.ndarray, shift_px: tuple[float, float] = (0.0, 0.0)
    ) -> np.ndarray:
        """float32 pad image -> float32 raw frame (the pad pasted over the housing), the whole
        view moved by ``shift_px`` (x, y) raw pixels (the camera moving against the pad and
        housing under load; sub-pixel, bilinear)."""
        rh, rw = self.raw_size_hw
        dx, dy = shift_px
        raw_to_pad = self._raw_to_pad
        if dx == 0 and dy == 0:
            out = self.surround.copy()
        else:
            move = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]], dtype=np.float64)
            out = cv2.warpAffine(
                self.surround, move, (rw, rh), flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_REPLICATE,
            )  # fmt: skip
            back = np.array([[1.0, 0.0, -dx], [0.0, 1.0, -dy], [0.0, 0.0, 1.0]])
            raw_to_pad = raw_to_pad @ back  # raw pixel -> where it was before the move
        cv2.warpPerspective(
            pad_image,
            raw_to_pad,
            (rw, rh),
            dst=out,
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_TRANSPARENT,
        )
        return out
