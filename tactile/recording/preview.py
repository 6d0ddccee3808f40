"""Live preview while collecting: the tactile image, force and opening of every frame.

``make_preview(spec)`` returns a :data:`~tactile.recording.recorder.FrameCallback`:

* ``"rerun"``: streams to the Rerun viewer (``pip install "tactile[preview]"``, which installs
  ``rerun-sdk``; the viewer starts on its own). ``"rerun:FILE.rrd"`` saves the stream to a
  file instead - no display needed - to open later with ``rerun FILE.rrd``.
* ``"opencv"``: an OpenCV window with the image and the numbers written on it (needs
  ``opencv-python`` rather than the headless wheel, and a display).
* ``"none"``: nothing (the progress bar still shows the last peak force).

A preview never stops the closing (it returns False) and never breaks a session: a preview that
fails to start raises :class:`~tactile.errors.ConfigError` before anything moves, naming the fix.
That includes ``rerun:FILE.rrd`` in a folder that does not exist, and an existing ``FILE.rrd``:
it is not replaced unless ``overwrite`` (the project's rule: no command replaces an existing
output unless told; ``docs/decisions.md``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from tactile.errors import ConfigError
from tactile.recording.recorder import FrameCallback, LiveFrame

PREVIEWS = ("none", "rerun", "rerun:FILE.rrd", "opencv")


class RerunPreview:
    """Logs each frame to Rerun: ``tactile/image``, ``force_n``, ``width_mm``, ``phase``."""

    def __init__(self, save_to: str | None = None, every: int = 1) -> None:
        try:
            import rerun as rr
        except ImportError as exc:
            raise ConfigError(
                "the rerun preview needs the rerun-sdk package",
                hint='pip install "tactile[preview]" (or use --preview opencv / none)',
            ) from exc
        self.rr = rr
        self.every = max(1, every)
        self.n = 0
        rr.init("tactile collect", spawn=save_to is None and _has_display())
        if save_to is not None:
            try:
                rr.save(save_to)
            except (RuntimeError, OSError) as exc:
                raise ConfigError(
                    f"cannot save the preview to {save_to} ({exc})",
                    hint="name a file in a folder you may write to: --preview rerun:FILE.rrd",
                ) from exc
        elif not _has_display():
            raise ConfigError(
                "no display for the Rerun viewer",
                hint="save the preview instead: --preview rerun:preview.rrd (open it later "
                "with `rerun preview.rrd`), or --preview none",
            )

    def __call__(self, live: LiveFrame) -> bool:
        rr = self.rr
        self.n += 1
        rr.set_time("t", duration=live.frame.t_s)
        rr.log("force_n", rr.Scalars(live.force_n))
        rr.log("width_mm", rr.Scalars(live.state.width_mm))
        if self.n % self.every == 0 or live.phase == "closing":
            image = rr.Image(np.ascontiguousarray(live.frame.image[:, :, ::-1]))  # BGR -> RGB
            rr.log("tactile/image", image.compress(jpeg_quality=85))  # ~10x smaller streams
        return False

    def close(self) -> None:
        self.rr.disconnect()


class OpenCvPreview:
    """An OpenCV window: the gel image with force, opening and phase written on it."""

    def __init__(self) -> None:
        import cv2

        if not _has_display():
            raise ConfigError(
                "no display for the OpenCV preview window",
                hint="use --preview rerun:preview.rrd on a headless machine, or --preview none",
            )
        self.cv2 = cv2
        try:
            cv2.namedWindow("tactile collect", cv2.WINDOW_NORMAL)
        except cv2.error as exc:
            raise ConfigError(
                f"OpenCV cannot open a window here ({exc.msg if hasattr(exc, 'msg') else exc})",
                hint="install opencv-python instead of opencv-python-headless, or use "
                "--preview rerun",
            ) from exc

    def __call__(self, live: LiveFrame) -> bool:
        cv2 = self.cv2
        image = np.ascontiguousarray(live.frame.image)
        text = f"{live.phase}  {live.force_n:5.1f} N  {live.state.width_mm:5.1f} mm"
        cv2.putText(image, text, (5, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 255, 0), 1)
        cv2.imshow("tactile collect", image)
        cv2.waitKey(1)
        return False

    def close(self) -> None:
        self.cv2.destroyWindow("tactile collect")


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or (os.name == "nt")


def free_name(path: Path) -> Path:
    """``path``, or ``stem_2.suffix``, ``stem_3.suffix``, ...: the first that does not exist.
    A stem already ending in ``_N`` counts on from it (``p_2.rrd`` -> ``p_3.rrd``, not
    ``p_2_2.rrd``), so that a second resume names the next file in the same series."""
    stem, k = path.stem, 2
    base, sep, number = stem.rpartition("_")
    if sep and base and number.isdigit():
        stem, k = base, int(number) + 1
    free = path
    while free.exists():
        free = path.with_name(f"{stem}_{k}{path.suffix}")
        k += 1
    return free


def check_save_path(spec: str, *, overwrite: bool = False, overwrite_hint: str = "") -> Path:
    """The file of a ``rerun:FILE.rrd`` preview, checked before anything moves: its folder
    exists and an existing file is refused unless ``overwrite`` (``overwrite_hint``: how the
    user says so, e.g. "--overwrite")."""
    name = spec.removeprefix("rerun:")
    if not name:
        raise ConfigError("--preview rerun: names no file", hint="e.g. --preview rerun:preview.rrd")
    path = Path(name).expanduser()  # rerun:~/x.rrd: no shell expands a ~ after "rerun:"
    folder = path.parent
    if not folder.is_dir():
        raise ConfigError(
            f"cannot save the preview to {path}: the folder {folder} does not exist",
            hint=f"create it first (mkdir -p {folder}) or name a file in an existing folder: "
            f"--preview rerun:{path.name}",
        )
    if path.is_dir():
        raise ConfigError(
            f"cannot save the preview to {path}: it is a folder",
            hint=f"name a file: --preview rerun:{path / 'preview.rrd'}",
        )
    if path.exists() and not overwrite:
        also = f", or pass {overwrite_hint} to replace it" if overwrite_hint else ""
        raise ConfigError(
            f"the preview file {path} already exists; refusing to replace it",
            hint=f"name another file (e.g. --preview rerun:{free_name(path)}), or delete it{also}",
        )
    return path


def make_preview(
    spec: str | None, *, overwrite: bool = False, overwrite_hint: str = ""
) -> FrameCallback | None:
    """The preview named by ``spec`` (see the module doc), or None for ``none``.

    ``overwrite``: replace an existing ``rerun:FILE.rrd`` (refused otherwise, naming
    ``overwrite_hint``, the user's way to say so, when given)."""
    if not spec or spec == "none":
        return None
    if spec == "rerun":
        return RerunPreview()
    if spec.startswith("rerun:"):
        path = check_save_path(spec, overwrite=overwrite, overwrite_hint=overwrite_hint)
        return RerunPreview(save_to=str(path))
    if spec == "opencv":
        return OpenCvPreview()
    raise ConfigError(f"unknown preview {spec!r}", hint=f"use one of {', '.join(PREVIEWS)}")


def close_preview(preview: Any) -> None:
    close = getattr(preview, "close", None)
    if close is not None:
        close()
