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
    ``with_length=False`` omits Content-Length so the client must find the JPEG end marker.
    """

    def __init__(
        self,
        jpegs: list[bytes],
        fps: float = 100.0,
        close_after: int = 0,
        with_length: bool = True,
    ) -> None:
        self.jpegs, self.period_s = jpegs, 1.0 / fps
        self.close_after, self.with_length = close_after, with_length
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
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace;boundary={BOUNDARY}")
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

    def stream(self, wfile: BinaryIO) -> None:
        i = 0
        while True:
            jpeg = self.jpegs[i % len(self.jpegs)]
            head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
            if self.with_length:
                head += f"Content-Length: {len(jpeg)}\r\n"
            head += f"X-Timestamp: {time.time():.6f}\r\n\r\n"
            try:
                wfile.write(head.encode() + jpeg + b"\r\n")
                wfile.flush()
            except OSError:
                return
            i += 1
            if self.close_after and i % self.close_after == 0:
                return
            time.sleep(self.period_s)

    def close(self) -> None:
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
