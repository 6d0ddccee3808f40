"""MJPEG over HTTP, as mjpg_streamer serves a GelSight Wedge (``/?action=stream``).

URL: ``mjpeg://host:8080/?action=stream`` (or ``http://...``). Query parameters other than
``timeout_s`` (2.0), ``reconnect`` (5 attempts) and ``buffer`` (2 frames) are passed to the server.

The stream is ``multipart/x-mixed-replace; boundary=...``: each part has headers
(``Content-Type: image/jpeg``, usually ``Content-Length`` and mjpg_streamer's ``X-Timestamp``)
and one JPEG. Servers that answer with ``Transfer-Encoding: chunked`` (FFmpeg's own HTTP
server, ``ffmpeg ... -f mpjpeg -listen 1 http://...``) are de-chunked first; parts may straddle
chunks. A reader thread parses parts as they arrive, timestamps each on arrival (monotonic),
keeps the sender's ``X-Timestamp`` (``FrameSample.t_device_s``, the Pi's wall clock in seconds)
when there is one, decodes the JPEG with ``cv2.imdecode`` (keeping its bytes as
``FrameSample.jpeg``, so a recording can store them verbatim) and keeps at most ``buffer`` frames:
when the consumer is slower, the oldest are discarded and counted as dropped. A broken connection
is reopened up to ``reconnect`` times in a row. Query keys other than ours are the server's (e.g.
``action=stream``) and are passed on to it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
from collections import deque
from typing import BinaryIO
from urllib.parse import urlencode

from tactile.errors import CorruptFileError, DeviceError, DeviceTimeoutError, ProtocolError
from tactile.hardware.base import DropDetector, FrameSample, TactileSensor, now_s
from tactile.hardware.registry import parse_device_url
from tactile.io.frame_codec import decode_jpeg

_OWN_PARAMS = ("timeout_s", "reconnect", "buffer")


def read_headers(fp: BinaryIO) -> dict[str, str]:
    """HTTP-style header lines up to the blank line, keys lower-cased."""
    headers: dict[str, str] = {}
    while True:
        line = fp.readline(65536)
        if not line:
            raise EOFError("stream closed inside headers")
        line = line.strip()
        if not line:
            return headers
        key, _, value = line.decode("latin-1").partition(":")
        headers[key.strip().lower()] = value.strip()


def boundary_of(content_type: str) -> bytes:
    """The multipart boundary from a Content-Type header (without leading dashes)."""
    for part in content_type.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "boundary":
            return value.strip('"').removeprefix("--").encode("latin-1")
    raise ProtocolError(
        f"MJPEG stream has no multipart boundary (Content-Type: {content_type!r})",
        hint="point the URL at the stream itself, e.g. /?action=stream",
    )


class ChunkedReader:
    """De-chunks an HTTP/1.1 ``Transfer-Encoding: chunked`` body; reads like a binary file."""

    def __init__(self, fp: BinaryIO) -> None:
        self.fp = fp
        self.buf = b""
        self.eof = False

    def _fill(self) -> bool:
        if self.eof:
            return False
        line = self.fp.readline(65536)
        if not line:
            self.eof = True
            return False
        try:
            size = int(line.split(b";")[0].strip() or b"0", 16)
        except ValueError as exc:
            raise ProtocolError(
                f"MJPEG stream: bad chunk size line {line[:40]!r}",
                hint="the server's chunked encoding is broken; try its plain stream",
            ) from exc
        if size == 0:
            self.eof = True
            return False
        data = self.fp.read(size)
        self.fp.readline(65536)  # the CRLF after the chunk
        if len(data) < size:
            self.eof = True
        self.buf += data
        return bool(data)

    def read(self, n: int = -1) -> bytes:
        while (n < 0 or len(self.buf) < n) and self._fill():
            pass
        n = len(self.buf) if n < 0 else n
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def readline(self, limit: int = -1) -> bytes:
        while b"\n" not in self.buf and (limit < 0 or len(self.buf) < limit) and self._fill():
            pass
        end = self.buf.find(b"\n") + 1 or len(self.buf)
        if limit >= 0:
            end = min(end, limit)
        out, self.buf = self.buf[:end], self.buf[end:]
        return out


def device_time_s(headers: dict[str, str]) -> float | None:
    """mjpg_streamer's ``X-Timestamp: seconds.microseconds`` (None when absent or garbled)."""
    text = headers.get("x-timestamp")
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def read_part(fp: BinaryIO, boundary: bytes) -> tuple[dict[str, str], bytes]:
    """Next part of the multipart stream: its headers and its body."""
    marker = b"--" + boundary
    while True:  # skip the preamble / CRLF before the boundary line
        line = fp.readline(65536)
        if not line:
            raise EOFError("stream closed between parts")
        if line.strip().startswith(marker):
            break
    headers = read_headers(fp)
    length = headers.get("content-length")
    if length is not None:
        body = fp.read(int(length))
        if len(body) < int(length):
            raise EOFError("stream closed inside a frame")
        return headers, body
    chunks = []  # no length: read up to the JPEG end marker
    data = b""
    while not data.endswith(b"\xff\xd9"):
        line = fp.readline(65536)
        if not line:
            raise EOFError("stream closed inside a frame")
        chunks.append(line)
        data = b"".join(chunks).rstrip(b"\r\n")
    return headers, data


class MjpegCamera(TactileSensor):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        p = parse_device_url(url)
        host, _, port = p.netloc.partition(":")
        self.host, self.port = host or "127.0.0.1", int(port or 8080)
        query = {k: v for k, v in p.params.items() if k not in _OWN_PARAMS}
        self.path = (p.path or "/") + ("?" + urlencode(query) if query else "")
        self.timeout_s = p.get_float("timeout_s", 2.0)
        self.reconnect_attempts = p.get_int("reconnect", 5)
        self._frames: deque[FrameSample] = deque(maxlen=max(1, p.get_int("buffer", 2)))
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._error: Exception | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._drops = DropDetector()
        self.n_dropped = 0
        self.n_corrupt = 0
        self.n_reconnects = 0
        self._index = 0
        self._last_read = -1

    # --- connection -----------------------------------------------------------------------
    def _open_stream(self) -> tuple[BinaryIO, bytes]:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        except OSError as exc:
            raise DeviceError(
                f"cannot reach MJPEG stream http://{self.host}:{self.port}{self.path}: {exc}",
                hint="check the sensor is powered, on the network, and mjpg_streamer runs",
            ) from exc
        self._sock = sock
        request = f"GET {self.path} HTTP/1.0\r\nHost: {self.host}\r\n\r\n"
        sock.sendall(request.encode("latin-1"))
        fp = sock.makefile("rb")
        status = fp.readline(65536).decode("latin-1").split()
        if len(status) < 2 or status[1] != "200":
            raise ProtocolError(
                f"MJPEG server answered {' '.join(status)!r} for {self.path}",
                hint="use the stream path, e.g. mjpeg://host:8080/?action=stream",
            )
        headers = read_headers(fp)
        if "chunked" in headers.get("transfer-encoding", "").lower():
            fp = ChunkedReader(fp)  # type: ignore[assignment]
        return fp, boundary_of(headers.get("content-type", ""))

    def _connect(self) -> None:
        fp, boundary = self._open_stream()
        self._stop.clear()
        self._error = None
        self._frames.clear()
        self._index = 0
        self._last_read = -1
        self._thread = threading.Thread(
            target=self._pump, args=(fp, boundary), name=f"mjpeg {self.host}", daemon=True
        )
        self._thread.start()

    def _close(self) -> None:
        self._stop.set()
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    # --- reader thread --------------------------------------------------------------------
    def _pump(self, fp: BinaryIO, boundary: bytes) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                headers, body = read_part(fp, boundary)
                failures = 0
            except (EOFError, OSError, ValueError) as exc:
                if self._stop.is_set():
                    return
                failures += 1
                if failures > self.reconnect_attempts:
                    self._fail(
                        DeviceTimeoutError(
                            f"MJPEG stream http://{self.host}:{self.port} lost after "
                            f"{self.reconnect_attempts} reconnects ({exc})",
                            hint="check the sensor's network cable and power",
                        )
                    )
                    return
                self._stop.wait(0.05 * failures)
                try:
                    fp, boundary = self._open_stream()
                    self.n_reconnects += 1
                except DeviceError:
                    continue
                continue
            self._deliver(body, device_time_s(headers))

    def _deliver(self, body: bytes, t_device_s: float | None = None) -> None:
        t = now_s()
        jpeg = bytes(body)
        try:
            # the store's decoder: a store that keeps these bytes (FrameSample.jpeg) decodes
            # them back to exactly this image
            image = decode_jpeg(jpeg)
        except CorruptFileError:
            self.n_corrupt += 1
            return
        with self._cond:
            if len(self._frames) == self._frames.maxlen:
                self.n_dropped += 1  # the oldest waiting frame is discarded
            sample = FrameSample(
                t, image, self._index, self._drops(t), t_device_s=t_device_s, jpeg=jpeg
            )
            self._frames.append(sample)
            self._index += 1
            self._cond.notify_all()

    def _fail(self, exc: Exception) -> None:
        with self._cond:
            self._error = exc
            self._cond.notify_all()

    def read(self) -> FrameSample:
        self._require_connected()
        with self._cond:
            ok = self._cond.wait_for(lambda: self._frames or self._error, self.timeout_s)
            if self._frames:
                frame = self._frames.popleft()
                lost = frame.index - self._last_read - 1  # discarded from the full buffer
                self._last_read = frame.index
                return dataclasses.replace(frame, dropped_before=frame.dropped_before + lost)
            if self._error is not None:
                raise self._error
        if not ok:
            raise DeviceTimeoutError(
                f"MJPEG stream http://{self.host}:{self.port} sent no frame for {self.timeout_s} s",
                hint="check the sensor is streaming (open the URL in a browser)",
            )
        raise DeviceError(f"{self.name}: no frame", hint="reconnect the camera")
