"""The JPEG images inside an MJPG AVI file, exactly as the camera wrote them (no decoding).

An AVI is a RIFF file: ``RIFF 'AVI '`` holds a header list (``LIST 'hdrl'`` with one
``LIST 'strl'`` per stream: ``strh`` says the stream type, e.g. ``vids``, and its codec, e.g.
``MJPG``) and the data list ``LIST 'movi'``, whose chunks ``NNdc`` carry one compressed frame of
stream ``NN`` each (OpenDML files continue in further ``RIFF 'AVIX'`` blocks). For MJPG every
such chunk is one complete JPEG image (SOI ``FF D8`` ... EOI ``FF D9``), so the importer can
store those bytes verbatim: lossless with respect to the recording and about 14x smaller than
the decoded frames. Reference: Microsoft, "AVI RIFF File Reference" (file format description).

:func:`read_mjpeg_video` returns None for anything that is not a plain MJPG AVI (other codecs,
damaged containers); callers then decode the video with OpenCV as before.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

#: Codec four-character codes whose frames are self-contained JPEG images.
MJPEG_FOURCCS = frozenset({b"MJPG", b"mjpg", b"AVRn", b"LJPG", b"JPGL", b"dmb1"})
_SOI = b"\xff\xd8"


@dataclass(frozen=True)
class _Stream:
    index: int
    kind: bytes  # b"vids", b"auds", ...
    handler: bytes  # codec fourcc from strh
    compression: bytes = b""  # biCompression from strf (video streams)
    fps: float = 0.0  # strh dwRate / dwScale


@dataclass(frozen=True)
class MjpegVideo:
    """The JPEG image of every frame, in order, and the frame rate the header states (0 when
    it states none)."""

    images: list[bytes]
    fps: float


def _chunks(data: memoryview, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """``(fourcc, data_start, data_end)`` of the chunks between ``start`` and ``end``."""
    out: list[tuple[bytes, int, int]] = []
    pos = start
    while pos + 8 <= end:
        fourcc = bytes(data[pos : pos + 4])
        (size,) = struct.unpack_from("<I", data, pos + 4)
        body = pos + 8
        if body + size > end:  # truncated chunk: stop at what is complete
            break
        out.append((fourcc, body, body + size))
        pos = body + size + (size & 1)  # chunks are padded to even sizes
    return out


def _streams(data: memoryview, hdrl: tuple[int, int]) -> list[_Stream]:
    streams: list[_Stream] = []
    for fourcc, start, end in _chunks(data, *hdrl):
        if fourcc != b"LIST" or bytes(data[start : start + 4]) != b"strl":
            continue
        kind = handler = compression = b""
        fps = 0.0
        for sub, s0, s1 in _chunks(data, start + 4, end):
            if sub == b"strh" and s1 - s0 >= 28:
                kind, handler = bytes(data[s0 : s0 + 4]), bytes(data[s0 + 4 : s0 + 8])
                scale, rate = struct.unpack_from("<II", data, s0 + 20)
                fps = rate / scale if scale else 0.0
            elif sub == b"strf" and s1 - s0 >= 20:
                compression = bytes(data[s0 + 16 : s0 + 20])  # BITMAPINFOHEADER.biCompression
        streams.append(_Stream(len(streams), kind, handler, compression, fps))
    return streams


def _movi_frames(data: memoryview, start: int, end: int, tag: bytes) -> list[bytes]:
    frames: list[bytes] = []
    for fourcc, s0, s1 in _chunks(data, start, end):
        if fourcc == b"LIST" and bytes(data[s0 : s0 + 4]) == b"rec ":
            frames.extend(_movi_frames(data, s0 + 4, s1, tag))
        elif fourcc[:2] == tag and fourcc[2:] in (b"dc", b"db"):
            frames.append(bytes(data[s0:s1]))
    return frames


def read_mjpeg_video(path: str | Path) -> MjpegVideo | None:
    """The JPEG image of every frame of the first video stream of an MJPG AVI, in order.

    None when the file is not an MJPG AVI this parser understands (the caller decodes it with
    OpenCV instead). Zero-length frame chunks (a "repeat the previous frame" marker some
    writers use) also return None: OpenCV decides what they mean.
    """
    raw = Path(path).read_bytes()
    data = memoryview(raw)
    if len(raw) < 12 or raw[:4] != b"RIFF" or raw[8:12] != b"AVI ":
        return None
    frames: list[bytes] = []
    video: _Stream | None = None
    for riff, r0, r1 in _chunks(data, 0, len(raw)):
        if riff != b"RIFF":
            continue
        for fourcc, s0, s1 in _chunks(data, r0 + 4, r1):
            if fourcc != b"LIST":
                continue
            kind = bytes(data[s0 : s0 + 4])
            if kind == b"hdrl" and video is None:
                video = next((s for s in _streams(data, (s0 + 4, s1)) if s.kind == b"vids"), None)
            elif kind == b"movi" and video is not None:
                frames.extend(_movi_frames(data, s0 + 4, s1, b"%02d" % video.index))
    if video is None or not frames:
        return None
    if video.handler not in MJPEG_FOURCCS and video.compression not in MJPEG_FOURCCS:
        return None
    if any(not f.startswith(_SOI) for f in frames):
        return None
    return MjpegVideo(frames, video.fps)
