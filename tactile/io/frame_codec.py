"""JPEG for camera frames: encode like the reference Wedge camera, decode with libjpeg.

Frames are stored as JPEG in two cases (``docs/hdf5-schema.md``, schema version 2):

- **camera bytes** (``origin = "camera"``): an MJPG camera or AVI already delivered each frame as
  a JPEG image; the store keeps those bytes verbatim, so nothing is lost or re-encoded;
- **encoded** (``origin = "encoded"``): frames that arrive as pixels (the simulator) are encoded
  with the reference Wedge camera's own quantisation table (:data:`WEDGE_MJPEG_QTABLE`, one table
  for all components, chroma 4:2:0): the loss a real camera's frames already carry, no more.

Decoding is ``cv2.imdecode`` (libjpeg-turbo, accurate integer IDCT): the same pixels as OpenCV's
own MJPEG reader (``cv2.VideoCapture(path, cv2.CAP_OPENCV_MJPEG)``) and as Pillow. OpenCV's
default FFmpeg backend decodes MJPG AVIs with a different IDCT/upsampling (up to ~20 grey levels
apart at edges, mean 0.7), which is why the importer decodes through this module too.
"""

from __future__ import annotations

import io

import numpy as np

from tactile.errors import CorruptFileError

#: Luminance quantisation table (natural order) of the reference Wedge's MJPG frames: 1024 of
#: the 1039 frames in ../shared/data/reference_grasps use it. (The simulator's copy,
#: ``tactile.sim.sensors.WEDGE_MJPEG_QTABLE``, must stay equal; a test checks.)
WEDGE_MJPEG_QTABLE: tuple[int, ...] = (
    8, 6, 7, 8, 9, 10, 10, 12, 6, 6, 8, 9, 10, 10, 12, 13,
    7, 8, 9, 10, 10, 12, 12, 14, 8, 8, 9, 10, 10, 12, 13, 15,
    8, 9, 10, 10, 12, 13, 15, 18, 9, 10, 10, 12, 13, 15, 18, 21,
    9, 10, 10, 12, 14, 17, 21, 25, 10, 10, 13, 14, 17, 21, 25, 31,
)  # fmt: skip

#: Names of the frame codecs a writer accepts.
FRAME_CODECS = ("jpeg", "raw")


def encode_jpeg(frame_bgr: np.ndarray, qtable: tuple[int, ...] = WEDGE_MJPEG_QTABLE) -> bytes:
    """One (H, W, 3) uint8 BGR frame as JPEG bytes with this quantisation table (4:2:0)."""
    from PIL import Image

    buffer = io.BytesIO()
    rgb = np.ascontiguousarray(np.asarray(frame_bgr, dtype=np.uint8)[..., ::-1])
    Image.fromarray(rgb).save(buffer, "JPEG", qtables=[list(qtable)], subsampling=2)
    return buffer.getvalue()


def decode_jpeg(data: bytes | np.ndarray, *, where: str = "frame") -> np.ndarray:
    """JPEG bytes -> (H, W, 3) uint8 BGR; a damaged image raises :class:`CorruptFileError`."""
    import cv2

    buf = np.frombuffer(data, dtype=np.uint8) if isinstance(data, bytes) else data
    img = None
    if buf.size:
        img = cv2.imdecode(buf, cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    if img is None:
        raise CorruptFileError(
            f"{where}: the stored JPEG image cannot be decoded",
            hint="the file is damaged; re-import or re-record this grasp, or restore a backup",
        )
    return img
