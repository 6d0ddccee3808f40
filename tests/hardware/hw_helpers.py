"""Test helpers for the hardware suite: an mjpg_streamer look-alike on loopback."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np

BOUNDARY = "boundarydonotcross"  # mjpg_streamer's boundary string


class MjpegServer:
    """mjpg_streamer look-alike on 127.0.0.1: multipart JPEG parts, looping over ``jpegs``.

    ``close_after`` ends each connection after that many parts (to test reconnects);
    ``with_length=False`` omits Content-Length so the client must find the JPEG end marker;
    ``stall_after`` stops sending after that many parts but keeps the connection open (a hung
    camera); ``gate``: after the first part, wait for this event before sending the rest;
    ``chunked``: answer HTTP/1.1 with ``Transfer-Encoding: chunked`` and FFmpeg's part headers
    (``--ffmpeg``, ``Content-type``), the body cut into ``chunk_size`` pieces that straddle parts.
    """

    def __init__(
        self,
        jpegs: list[bytes],
        fps: float = 100.0,
        close_after: int = 0,
        with_length: bool = True,
        stall_after: int = 0,
        gate: threading.Event | None = None,
        chunked: bool = False,
        chunk_size: int = 700,
    ) -> None:
        self.jpegs, self.period_s = jpegs, 1.0 / fps
        self.close_after, self.with_length = close_after, with_length
        self.stall_after, self.gate = stall_after, gate
        self.chunked, self.chunk_size = chunked, chunk_size
        self.boundary = "ffmpeg" if chunked else BOUNDARY
        self.sent = 0
        self._release = threading.Event()
        self.connections = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if "action=stream" not in self.path:
                    self.send_error(404)
                    return
                server.connections += 1
                if server.chunked:
                    self.protocol_version = "HTTP/1.1"
                self.send_response(200)
                self.send_header(
                    "Content-Type", f"multipart/x-mixed-replace;boundary={server.boundary}"
                )
                if server.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                server.stream(self.wfile)  # type: ignore[arg-type]

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"mjpeg://127.0.0.1:{self.port}/?action=stream"

    def part(self, i: int) -> bytes:
        jpeg = self.jpegs[i % len(self.jpegs)]
        if self.chunked:  # FFmpeg's mpjpeg muxer: its boundary and header spelling
            head = f"--ffmpeg\r\nContent-type: image/jpeg\r\nContent-length: {len(jpeg)}\r\n\r\n"
            return head.encode() + jpeg + b"\r\n"
        head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
        if self.with_length:
            head += f"Content-Length: {len(jpeg)}\r\n"
        head += f"X-Timestamp: {1_700_000_000 + i / 100:.6f}\r\n\r\n"
        return head.encode() + jpeg + b"\r\n"

    def _write(self, wfile: BinaryIO, data: bytes) -> None:
        if not self.chunked:
            wfile.write(data)
        else:
            for k in range(0, len(data), self.chunk_size):
                piece = data[k : k + self.chunk_size]
                wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        wfile.flush()

    def stream(self, wfile: BinaryIO) -> None:
        i = 0
        pending = b""
        while True:
            if self.stall_after and i >= self.stall_after:
                self._release.wait()  # hold the connection open, send nothing more
                return
            pending += self.part(i)
            if not self.chunked or len(pending) >= self.chunk_size:  # chunks straddle parts
                try:
                    self._write(wfile, pending)
                except OSError:
                    return
                pending = b""
            i += 1
            self.sent = i
            if i == 1 and self.gate is not None:
                self.gate.wait()
            if self.close_after and i % self.close_after == 0:
                return
            time.sleep(self.period_s)

    def close(self) -> None:
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def avi_jpegs(avi: Path, n: int) -> list[bytes]:
    """The first ``n`` frames of a real AVI, JPEG-encoded as mjpg_streamer would send them."""
    cap = cv2.VideoCapture(str(avi))
    out: list[bytes] = []
    while len(out) < n:
        ok, frame = cap.read()
        if not ok:
            break
        out.append(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes())
    cap.release()
    return out


def synthetic_jpegs(n: int = 4) -> list[bytes]:
    out: list[bytes] = []
    for i in range(n):
        img = np.full((24, 32, 3), 40 * i, np.uint8)
        out.append(cv2.imencode(".jpg", img)[1].tobytes())
    return out
