"""Import the reference recording layout of Burgess et al. 2024 (AVI + force/width pickles).

One grasp is three files: ``name.avi`` (MJPG video of the gel, BGR), ``name_forces.pkl`` (grip
force, N) and ``name_widths.pkl`` (gripper width, **metres**), one force and one width per video
frame. The object name comes from the file name: ``<object>_<n>`` (or ``<object> <n>``,
``<object>-<n>``) or ``<object>__t=<n>``.

Decisions (see ``docs/importing.md``):

- There are no timestamps; ``t_s`` is synthesised at the video's nominal rate (30 fps) and the
  metadata says ``timing = "nominal"``.
- Lengths that differ by at most :data:`MAX_LENGTH_REPAIR` frames are truncated at the end to the
  shortest stream (recorded in ``extra["repairs"]``); larger mismatches are an error.
- There is no separate no-contact frame, so ``reference_frame`` is None: processing chooses one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from tactile.errors import ImportDataError, TactileError
from tactile.io.labels import LabelRow, LabelWarning, read_aliases, read_label_table, resolve_label
from tactile.io.layout import resolve, scan
from tactile.io.output import WriteMode, dataset_exists, open_grasp_output
from tactile.io.pickles import load_array_pickle
from tactile.io.schema import GRASP_ID_RE
from tactile.types import Grasp, GraspMetadata

NOMINAL_FPS = 30.0
MAX_LENGTH_REPAIR = 2
MAX_WIDTH_M = 0.3  # wider than any parallel gripper with a tactile finger: not metres
#: Stronger than any parallel gripper with a tactile finger squeezes (the Robotiq 2F-85: 235 N):
#: not newtons (newuser40: forces stored in mN imported and were answered with a vacuous bound)
MAX_FORCE_N = 1000.0
#: Samples beyond it tolerated as glitches (a dropped decimal point: 12.50 -> 1250): the
#: estimators despike them and flag force_glitches, as the recorder allows 3 isolated spikes
MAX_FORCE_GLITCHES = 3
#: Profile stamped on imported reference grasps: the rig calibrated on rigid-sphere presses
#: (docs/calibration.md). Files stamped "wedge-reference-v1" keep working.
CALIBRATION_ID = "wedge-reference-v4"
SOURCE = "reference-import"

#: How much of the AVI the source identity hashes (with its size and both pickles whole):
#: cheap, and a different recording of the same name differs in its first frames or its length
IDENTITY_AVI_BYTES = 1 << 20
#: Fewest bytes a compressed frame takes in an AVI (its chunk header alone is 8): the decoder
#: preallocates no more frames than the file could hold at this size, whatever its header says
MIN_FRAME_BYTES = 1024

_NAME_RE = re.compile(r"^(?P<object>.+?)(?:__t=(?P<t>[0-9]+)|[ _-](?P<n>[0-9]+))$")
#: Latin letters NFKD does not decompose into an ASCII letter and a mark
_LATIN = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l"}
    | {"Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i"}
)


@dataclass(frozen=True)
class ReferenceRecording:
    """The three files of one reference grasp."""

    avi: Path
    forces: Path
    widths: Path

    @property
    def stem(self) -> str:
        return self.avi.stem


def recording_files(avi_path: str | Path) -> ReferenceRecording:
    """The video and its two pickles; raises if any is missing."""
    avi = Path(avi_path)
    rec = ReferenceRecording(
        avi, avi.with_name(f"{avi.stem}_forces.pkl"), avi.with_name(f"{avi.stem}_widths.pkl")
    )
    missing = [p.name for p in (rec.avi, rec.forces, rec.widths) if not p.is_file()]
    if missing:
        raise ImportDataError(
            f"reference grasp {avi.stem!r} in {avi.parent} is missing {', '.join(missing)}",
            hint="each grasp needs NAME.avi, NAME_forces.pkl and NAME_widths.pkl side by side",
        )
    return rec


def source_identity(rec: ReferenceRecording) -> str:
    """What tells this recording from another of the same name, cheaply: a SHA-256 of the
    AVI's size and first :data:`IDENTITY_AVI_BYTES`, and both pickles whole
    (``extra["source_identity"]`` of an imported grasp; ``--skip-existing`` compares it)."""
    h = hashlib.sha256()
    try:
        h.update(f"avi {rec.avi.stat().st_size}\n".encode())
        with rec.avi.open("rb") as f:
            h.update(f.read(IDENTITY_AVI_BYTES))
        for p in (rec.forces, rec.widths):
            data = p.read_bytes()
            h.update(f"{p.name[len(rec.stem) :]} {len(data)}\n".encode())
            h.update(data)
    except OSError as exc:
        raise ImportDataError(
            f"{exc.filename or rec.avi} cannot be read ({exc.strerror or exc})",
            hint="check the path and that you may read it",
        ) from exc
    return f"sha256:{h.hexdigest()}"


def parse_object_name(stem: str) -> tuple[str, int | None]:
    """``golf_ball_3`` -> (``golf_ball``, 3); ``foam__t=2`` -> (``foam``, 2); ``golf ball 3``
    and ``golf-ball-3`` alike (the trial after one ``_``, space or ``-``); else (stem, None)."""
    m = _NAME_RE.match(stem)
    if m is None:
        return stem, None
    trial = m.group("t") or m.group("n")
    return m.group("object"), int(trial)


def _ascii(text: str) -> str:
    """Latin letters without their accents (``Äpfel`` -> ``Apfel``, ``Straße`` -> ``Strasse``),
    any other non-ASCII character as ``u`` and its code point in hex (``苹果`` -> ``u82f9u679c``).
    Not one to one (``Äpfel`` and ``Apfel`` meet): :func:`grasp_id_for` adds a hash."""
    out = []
    for ch in unicodedata.normalize("NFKD", text.translate(_LATIN)):
        if ch.isascii():
            out.append(ch)
        elif not unicodedata.combining(ch):
            out.append(f"u{ord(ch):04x}")
    return "".join(out)


#: Longest grasp id (:data:`~tactile.io.schema.GRASP_ID_RE`)
MAX_GRASP_ID = 128


def _id_chars(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", _ascii(text))


def grasp_id_for(stem: str) -> str:
    """A store-safe grasp id from a file stem: ASCII letters, digits, ``._-``, at most
    :data:`MAX_GRASP_ID` characters.

    An ASCII stem keeps its characters, others becoming ``-`` (``x__t=2`` -> ``x__t-2``,
    ``golf ball 2`` -> ``golf-ball-2``). A stem that is not ASCII, or too long, gets the first 8
    hex digits of the SHA-256 of the stem (NFC) before its trial number, so distinct names
    keep distinct ids: ``Äpfel_2`` -> ``Apfel-<hash>_2`` (not ``Apfel_2``), ``苹果_2`` ->
    ``u82f9u679c-<hash>_2``; a long name loses the end of its object part, never the hash or
    the trial."""
    text = unicodedata.normalize("NFC", stem)
    plain = _id_chars(text).lstrip("._-")
    if text.isascii() and len(plain) <= MAX_GRASP_ID:
        gid = plain
    else:
        obj, trial = parse_object_name(text)
        tail = _id_chars(text[len(obj) :]) if trial is not None else ""
        end = f"-{hashlib.sha256(text.encode()).hexdigest()[:8]}{tail}"
        gid = (_id_chars(obj).lstrip("._-")[: MAX_GRASP_ID - len(end)] + end).lstrip("._-")
    if not GRASP_ID_RE.match(gid):
        raise ImportDataError(
            f"cannot derive a grasp id from the file name {stem!r}",
            hint="rename the files to <object>_<n>.avi using letters, digits and '_'",
        )
    return gid


def read_video(path: Path) -> tuple[np.ndarray, float]:
    """All frames of a video as (T, H, W, 3) uint8 **BGR** (OpenCV's order), and its header fps."""
    frames, fps, _ = read_video_jpegs(path)
    return frames, fps


def read_video_jpegs(path: Path) -> tuple[np.ndarray, float, list[bytes] | None]:
    """:func:`read_video` plus the camera's JPEG image of each frame (MJPG AVIs; else None).

    MJPG frames are decoded from those bytes by :func:`~tactile.io.frame_codec.decode_jpeg`
    (libjpeg, = ``cv2.VideoCapture(path, cv2.CAP_OPENCV_MJPEG)``), so storing the bytes and
    decoding them later gives these exact frames. Other videos are decoded by OpenCV's default
    backend.
    """
    return _read_video(path, pixels=True)


def _read_video(path: Path, *, pixels: bool) -> tuple[np.ndarray, float, list[bytes] | None]:
    """:func:`read_video_jpegs`; ``pixels=False``: an MJPG AVI's frames are each decoded (and
    checked) but not kept: ``frames`` is frame 0 repeated (a read-only view, no memory), for
    storing the camera's JPEG bytes, which need no pixels."""
    from tactile.io.avi_mjpeg import read_mjpeg_video

    try:
        video = read_mjpeg_video(path)
    except OSError as exc:
        raise ImportDataError(
            f"{path} cannot be read ({exc.strerror or exc})",
            hint="check the path and that you may read it",
        ) from exc
    if video is not None:
        return _decode_mjpeg(path, video.images, keep=pixels), video.fps, video.images
    frames, fps = _read_video_opencv(path)
    return frames, fps, None


def _no_frames(path: Path) -> ImportDataError:
    return ImportDataError(
        f"{path} contains no decodable frames",
        hint="the AVI is damaged or empty; copy it again from the recording machine",
    )


def _check_frame(path: Path, frame: np.ndarray, first: tuple[int, ...] | None) -> None:
    """Refuse a frame that is not colour or differs in shape from the first."""
    if frame.ndim != 3 or frame.shape[2] != 3 or (first is not None and frame.shape != first):
        shapes = sorted({frame.shape} | ({first} if first is not None else set()))
        raise ImportDataError(
            f"{path} has frames of varying or non-colour shapes {shapes}",
            hint="the reference layout is a colour video of constant size",
        )


def _decode_mjpeg(path: Path, images: list[bytes], *, keep: bool = True) -> np.ndarray:
    """Decode each JPEG straight into one preallocated (T, H, W, 3) array: the frames are held
    once (a list of frames stacked at the end held them twice: 5.65 GB for 3085 frames).
    ``keep=False``: each is decoded and checked, then dropped; the result is frame 0 repeated
    (a read-only broadcast view)."""
    from tactile.errors import CorruptFileError
    from tactile.io.frame_codec import decode_jpeg

    if not images:
        raise _no_frames(path)
    out: np.ndarray | None = None
    try:
        for i, data in enumerate(images):
            frame = decode_jpeg(data, where=f"{path} frame {i}")
            if out is None:
                _check_frame(path, frame, None)
                if not keep:
                    out = np.broadcast_to(frame, (len(images), *frame.shape))
                    continue
                out = np.empty((len(images), *frame.shape), dtype=np.uint8)
            else:
                _check_frame(path, frame, out.shape[1:])
            if keep:
                out[i] = frame
    except CorruptFileError as exc:
        raise ImportDataError(
            exc.message,
            hint="the AVI is damaged; copy it again from the recording machine",
        ) from exc
    assert out is not None
    return out


def _read_video_opencv(path: Path) -> tuple[np.ndarray, float]:
    """Frames decoded by OpenCV into one array, grown by half when the header's frame count
    was too small (held once, not once in a list and again stacked). The header's count is
    trusted up to one frame per :data:`MIN_FRAME_BYTES` of the file (review45: a bogus 2^31-1
    made the preallocation raise MemoryError)."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    out: np.ndarray | None = None
    n = 0
    try:
        if not cap.isOpened():
            raise ImportDataError(
                f"{path} cannot be opened as a video",
                hint="the AVI is damaged or not a video; copy it again from the recording machine",
            )
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        count = min(count, path.stat().st_size // MIN_FRAME_BYTES)
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            if out is None:
                _check_frame(path, frame, None)
                try:
                    out = np.empty((max(count, 16), *frame.shape), dtype=np.uint8)
                except MemoryError:  # a header count the file's size allows, still too many
                    out = np.empty((16, *frame.shape), dtype=np.uint8)
            else:
                _check_frame(path, frame, out.shape[1:])
            if n == len(out):
                grown = np.empty((n + n // 2, *out.shape[1:]), dtype=np.uint8)
                grown[:n] = out
                out = grown
            out[n] = frame
            n += 1
    finally:
        cap.release()
    if out is None:
        raise _no_frames(path)
    return out[:n], fps


def _reconcile(
    stem: str, frames: np.ndarray, force_n: np.ndarray, width_m: np.ndarray
) -> tuple[int, list[str]]:
    lengths = {"video": len(frames), "forces": len(force_n), "widths": len(width_m)}
    n = min(lengths.values())
    if max(lengths.values()) - n > MAX_LENGTH_REPAIR:
        short_video = lengths["video"] == n
        raise ImportDataError(
            f"reference grasp {stem!r}: stream lengths differ too much {lengths}",
            hint=(
                "the AVI looks truncated; copy it again from the recording machine"
                if short_video
                else f"streams must match within {MAX_LENGTH_REPAIR} frames; re-export the "
                "recording, or trim the files so each frame has one force and one width"
            ),
        )
    repairs = [
        f"truncated {name} from {k} to {n} samples (end)" for name, k in lengths.items() if k > n
    ]
    return n, repairs


def _check_widths(stem: str, width_m: np.ndarray) -> None:
    finite = width_m[np.isfinite(width_m)]
    if finite.size and (finite.max() > MAX_WIDTH_M or finite.min() < -1e-3):
        raise ImportDataError(
            f"reference grasp {stem!r}: widths range {finite.min():.4g}..{finite.max():.4g}, "
            "not plausible gripper openings in metres",
            hint="the reference layout stores widths in metres; convert the pickle to metres",
        )


def _check_forces(stem: str, force_n: np.ndarray) -> None:
    size = np.abs(force_n[np.isfinite(force_n)])
    beyond = int(np.count_nonzero(size > MAX_FORCE_N))
    if beyond > MAX_FORCE_GLITCHES:  # a few glitch samples are despiked and flagged downstream
        raise ImportDataError(
            f"reference grasp {stem!r}: {beyond} force samples exceed {MAX_FORCE_N:.0f} "
            f"(up to {size.max():.4g}), not a plausible gripper force in newtons",
            hint="the reference layout stores forces in newtons (were they saved in mN?); "
            "convert the pickle to newtons",
        )


def object_and_trial(
    stem: str,
    labels: Mapping[str, LabelRow] | None,
    aliases: Mapping[str, str] | None = None,
) -> tuple[str, int | None]:
    """The object and trial number of a recording named ``stem``, as
    :func:`parse_object_name` reads them, unless the object so read has no label row and the
    whole stem has one (:func:`~tactile.io.labels.resolve_label`, with its case, space and
    hyphen tolerance): then the number is part of the object's name (``brass fitting 5``,
    ``squishy-animal-3``), the object is the whole stem and the trial None (review45)."""
    object_id, trial = parse_object_name(stem)
    if labels is None or trial is None:
        return object_id, trial
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LabelWarning)  # the caller looks the chosen one up
        if (
            resolve_label(object_id, labels, aliases) is None
            and resolve_label(stem, labels, aliases) is not None
        ):
            return stem, None
    return object_id, trial


def _metadata(
    rec: ReferenceRecording,
    object_id: str,
    trial: int | None,
    fps: float,
    row: LabelRow | None,
    repairs: list[str],
) -> GraspMetadata:
    from tactile import __version__

    extra: dict[str, Any] = {
        "source_file": rec.avi.name,
        "source_identity": source_identity(rec),
        "trial": trial,
        "timing": "nominal",
        "nominal_fps": fps,
        "color_order": "BGR",
        "width_source_unit": "m",
        "label_row": row.name if row else None,
        "material": row.material if row else None,
        "repairs": repairs,
        "imported_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return GraspMetadata(
        object_id=object_id,
        label_modulus_pa=row.modulus_pa if row else None,
        shape=row.shape if row else None,
        radius_mm=row.radius_mm if row else None,
        source=SOURCE,
        calibration_id=CALIBRATION_ID,
        software_version=__version__,
        extra=extra,
    )


class ImportRepairWarning(UserWarning):
    """A recording was repaired on import (e.g. streams of unequal length truncated)."""


class UnverifiedSourceWarning(UserWarning):
    """``skip_existing`` skipped grasps imported before the source's identity was recorded:
    they are taken to be the same recordings, which cannot be checked."""


def load_reference_grasp(
    avi_path: str | Path,
    *,
    labels: Mapping[str, LabelRow] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> Grasp:
    """One reference grasp as a :class:`Grasp` (widths converted to mm, BGR frames kept).

    ``labels``: a table from :func:`read_label_table`; the object is looked up by exact name,
    then through ``aliases`` (merged over the built-in aliases), then by the one row or alias
    matching it under :func:`~tactile.io.labels.label_key`. Unlabelled objects get no label
    and a :class:`~tactile.io.labels.LabelWarning`; a repaired recording (streams truncated to
    equal length) an :class:`ImportRepairWarning` saying what was done.
    """
    return load_reference_recording(avi_path, labels=labels, aliases=aliases)[0]


def load_reference_recording(
    avi_path: str | Path,
    *,
    labels: Mapping[str, LabelRow] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> tuple[Grasp, list[bytes] | None]:
    """:func:`load_reference_grasp` plus the camera's JPEG image of each kept frame (MJPG AVIs),
    for storing them verbatim (``GraspWriter.append(grasp, camera_jpegs=...)``)."""
    return _load_recording(avi_path, labels, aliases, pixels=True)


def _load_recording(
    avi_path: str | Path,
    labels: Mapping[str, LabelRow] | None,
    aliases: Mapping[str, str] | None,
    *,
    pixels: bool,
) -> tuple[Grasp, list[bytes] | None]:
    """:func:`load_reference_recording`; ``pixels=False``: an MJPG AVI's frames are checked
    but not kept (see :func:`_read_video`): only for writing its JPEG bytes to a store."""
    rec = recording_files(avi_path)
    force_n = load_array_pickle(rec.forces)
    width_m = load_array_pickle(rec.widths)
    frames, header_fps, jpegs = _read_video(rec.avi, pixels=pixels)
    n, repairs = _reconcile(rec.stem, frames, force_n, width_m)
    if repairs:
        warnings.warn(
            f"reference grasp {rec.stem!r} repaired: {'; '.join(repairs)}",
            ImportRepairWarning,
            stacklevel=2,
        )
    _check_widths(rec.stem, width_m)
    _check_forces(rec.stem, force_n)
    fps = header_fps if 1.0 <= header_fps <= 1000.0 else NOMINAL_FPS
    # in Unicode NFC, as the grasp id hashes it: a macOS (NFD) file name and the same name
    # typed elsewhere (NFC) are one object for the per-object metrics (newuser41)
    object_id, trial = object_and_trial(unicodedata.normalize("NFC", rec.stem), labels, aliases)
    row = resolve_label(object_id, labels, aliases)
    try:
        grasp = Grasp(
            grasp_id=grasp_id_for(rec.stem),
            frames=frames[:n],
            t_s=np.arange(n, dtype=np.float64) / fps,
            force_n=force_n[:n],
            width_mm=width_m[:n] * 1000.0,
            meta=_metadata(rec, object_id, trial, fps, row, repairs),
            reference_frame=None,
        )
    except ImportDataError:
        raise
    except ValueError as exc:  # InvalidGraspError: NaN samples, fewer than 2 frames, ...
        reason = exc.message if isinstance(exc, TactileError) else str(exc)  # its hint: once
        raise ImportDataError(
            f"reference grasp {rec.stem!r} is not a valid grasp: {reason}",
            hint="fix or drop this recording",
        ) from exc
    return grasp, (jpegs[:n] if jpegs is not None else None)


def subfolders_with_recordings(src: Path) -> list[Path]:
    """The sub-folders of ``src`` (not hidden) that hold ``.avi`` files at any depth: an import
    of ``src`` does not descend into them."""
    if not src.is_dir():
        return []
    subs = sorted(p for p in src.iterdir() if p.is_dir() and not p.name.startswith("."))
    return [p for p in subs if any(q.suffix.lower() == ".avi" for q in p.rglob("*"))]


class IgnoredSubfolderWarning(UserWarning):
    """A folder given to :func:`import_reference` has sub-folders with recordings, which are
    not imported (import each on its own)."""


def find_avis(src: Path) -> list[Path]:
    """The ``.avi`` files at ``src``: the file itself, or every ``*.avi`` in a folder (natural
    order) but hidden ones (``._NAME.avi``: macOS resource files, not recordings)."""
    if src.is_file():
        suffix = src.suffix.lower()
        if suffix in (".h5", ".hdf5", ".pkl"):  # newuser41: "missing X_forces_forces.pkl"
            raise ImportDataError(
                f"{src} is not a recording's video: tactile import reads NAME.avi (with "
                "NAME_forces.pkl and NAME_widths.pkl beside it) or a folder of them",
                hint="it is a grasp file already: `tactile inspect` or `tactile estimate` it"
                if suffix != ".pkl"
                else "pass the NAME.avi beside it, or its folder",
            )
        return [src]
    if not src.is_dir():
        raise ImportDataError(
            f"{src} does not exist", hint="pass a .avi file or a folder of reference recordings"
        )
    avis = [
        p
        for p in src.iterdir()
        if p.suffix.lower() == ".avi" and not p.name.startswith(".") and p.is_file()
    ]
    if not avis:
        subs = subfolders_with_recordings(src)
        orphans = missing_avis(src)
        raise ImportDataError(
            f"no .avi recordings in {src}"
            + (f" (some in its sub-folders: {_names(subs)})" if subs else "")
            + "".join(f"; {s.error}" for s in orphans[:3])
            + (f"; and {len(orphans) - 3} more without their .avi" if len(orphans) > 3 else ""),
            hint="pass the folder holding NAME.avi files"
            + ("; import each sub-folder on its own" if subs else "")
            + "".join(f"; {s.hint}" for s in orphans[:1] if s.hint),
        )
    return sorted(avis, key=lambda p: _natural_key(p.stem))


def _natural_key(stem: str) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", stem)]


_PICKLE_SUFFIXES = ("_forces.pkl", "_widths.pkl")


def missing_avis(src: Path) -> list[SkippedRecording]:
    """The recordings in the folder ``src`` whose ``NAME_forces.pkl`` or ``NAME_widths.pkl`` is
    there but not ``NAME.avi`` (natural order), each as the :class:`SkippedRecording`
    ``NAME.avi`` saying so and naming any other video of that name beside them (``NAME.mp4``:
    a folder import reads ``*.avi`` only; a single-file import reads any video OpenCV can).
    Hidden files are ignored. Empty for a file or a missing folder."""
    if not src.is_dir():
        return []
    files = [p for p in src.iterdir() if not p.name.startswith(".") and p.is_file()]
    have_avi = {p.stem for p in files if p.suffix.lower() == ".avi"}
    stems = {
        p.name[: -len(suffix)]: None
        for p in files
        for suffix in _PICKLE_SUFFIXES
        if p.name.endswith(suffix) and len(p.name) > len(suffix)
    }
    out = []
    for stem in sorted(set(stems) - have_avi, key=_natural_key):
        pickles = [
            f"{stem}{suffix}" for suffix in _PICKLE_SUFFIXES if (src / f"{stem}{suffix}").is_file()
        ]
        videos = sorted(p.name for p in files if p.stem == stem and p.suffix.lower() != ".pkl")
        error = (
            f"reference grasp {stem!r} in {src}: {stem}.avi missing ({' and '.join(pickles)} "
            "without it)"
            + (
                f"; {' and '.join(videos)} beside them is not read by a folder import (*.avi only)"
                if videos
                else ""
            )
        )
        if videos:
            hint = (
                f"convert {videos[0]} to an MJPG AVI named {stem}.avi (e.g. ffmpeg -i "
                f"'{videos[0]}' -c:v mjpeg -q:v 2 '{stem}.avi'), or import the file on its own "
                f"(tactile import '{src / videos[0]}' DEST --append)"
            )
        else:
            hint = (
                f"copy {stem}.avi from the recording machine beside its pickles, or move the "
                "pickles out of the folder"
            )
        out.append(SkippedRecording(f"{stem}.avi", error, hint))
    return out


def _names(paths: list[Path], most: int = 5) -> str:
    shown = ", ".join(f"{p.name}/" for p in paths[:most])
    return shown + (f" and {len(paths) - most} more" if len(paths) > most else "")


def find_recordings(src: str | Path) -> list[ReferenceRecording]:
    """The recordings at ``src``: one ``.avi`` or every ``*.avi`` in a folder (natural order).

    Raises on the first ``.avi`` without its two pickles."""
    return [recording_files(p) for p in find_avis(Path(src))]


@dataclass(frozen=True)
class SkippedRecording:
    """A recording :func:`import_reference` did not import, and why."""

    file: str
    error: str
    hint: str | None = None
    invalid: bool = True
    """False for a valid recording not imported because of what ``dest`` (or another recording
    in the folder) already holds: it does not count towards "no recording is valid"."""

    def __str__(self) -> str:
        return f"{self.file}: {self.error}" + (f" (fix: {self.hint})" if self.hint else "")


class ImportSkipWarning(UserWarning):
    """An invalid recording was skipped; the others were imported (see :func:`import_reference`)."""


class ImportResult(list[str]):
    """The grasp ids :func:`import_reference` imported (a list, in order), and in ``skipped``
    the invalid recordings it skipped."""

    def __init__(self, ids: Iterable[str] = (), skipped: Iterable[SkippedRecording] = ()) -> None:
        super().__init__(ids)
        self.skipped: list[SkippedRecording] = list(skipped)


def _skip(rec: Path, exc: ImportDataError, *, invalid: bool = True) -> SkippedRecording:
    skipped = SkippedRecording(rec.name, exc.message, exc.hint, invalid)
    warnings.warn(f"skipped {skipped}", ImportSkipWarning, stacklevel=3)
    return skipped


def unique_ids(
    recordings: list[ReferenceRecording], skipped: list[SkippedRecording] | None = None
) -> list[ReferenceRecording]:
    """The recordings whose grasp ids differ from each other's. Recordings sharing one id
    raise, or with a ``skipped`` list are all skipped (appended to it): none is chosen."""
    by_id: dict[str, list[ReferenceRecording]] = {}
    for rec in recordings:
        by_id.setdefault(grasp_id_for(rec.stem), []).append(rec)
    kept = []
    for gid, recs in by_id.items():
        if len(recs) == 1:
            kept.append(recs[0])
            continue
        exc = ImportDataError(
            f"{' and '.join(r.avi.name for r in recs)} "
            f"{'both' if len(recs) == 2 else 'all'} become grasp id {gid!r}",
            hint="rename one of the recordings",
        )
        if skipped is None:
            raise exc
        skipped.extend(_skip(rec.avi, exc) for rec in recs)
    return kept


def copy_rank(
    rec: ReferenceRecording,
    labels: Mapping[str, LabelRow] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> tuple[bool, bool, int]:
    """How plainly ``rec`` is the original among recordings of the same files (lower: more):
    a name with a trial number first (``golf_ball_2``, not ``golf_ball_2 copy``), then, with a
    label table, one whose object has a row (``golf_ball_1``, not ``Copy of golf_ball_1``),
    then the shorter name (review49: the name that sorted first was kept)."""
    stem = unicodedata.normalize("NFC", rec.stem)
    no_trial = parse_object_name(stem)[1] is None
    no_label = False
    if labels is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LabelWarning)
            object_id = object_and_trial(stem, labels, aliases)[0]
            no_label = resolve_label(object_id, labels, aliases) is None
    return no_trial, no_label, len(stem)


def preferred_copies(
    recordings: Sequence[tuple[ReferenceRecording, str]],
    labels: Mapping[str, LabelRow] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> dict[str, ReferenceRecording]:
    """For each identity among ``(recording, identity)`` pairs, the recording to keep: the
    lowest :func:`copy_rank`, the first of them in the given order on a tie."""
    best: dict[str, tuple[tuple[bool, bool, int], ReferenceRecording]] = {}
    for rec, identity in recordings:
        rank = copy_rank(rec, labels, aliases)
        if identity not in best or rank < best[identity][0]:
            best[identity] = (rank, rec)
    return {identity: rec for identity, (_, rec) in best.items()}


def copy_error(
    rec: ReferenceRecording, first: ReferenceRecording, action: str, more: str = ""
) -> ImportDataError:
    """The error of ``rec``, a copy of the folder's recording ``first`` (the one
    :func:`preferred_copies` keeps), which ``action`` (``import``, ``estimate``) reads."""
    done = action + ("d" if action.endswith("e") else "ed")
    return ImportDataError(
        f"{rec.avi} and {first.avi.name} of this folder are the same files under two "
        f"names: {first.avi.name} is {done} (as grasp {grasp_id_for(first.stem)!r}), "
        f"{rec.avi.name} is not",
        hint=f"nothing to {action} twice; delete {rec.avi.name}, the copy{more}",
    )


def _check_ids(
    recordings: list[ReferenceRecording],
    dest: str | Path,
    skip_existing: bool,
    skipped: list[SkippedRecording] | None = None,
    *,
    replace: bool = False,
    keep_duplicates: bool = False,
    labels: Mapping[str, LabelRow] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> list[ReferenceRecording]:
    """The recordings to import; raises on an id clash before anything is written.

    A recording whose identity (:func:`source_identity`) is that of a grasp in ``dest`` under
    another id, or of another recording in the folder (the same files copied under another
    name; :func:`preferred_copies` says which one of them is imported), is skipped (appended to
    ``skipped``, else raises) in every mode (``replace``: ``dest``
    is being replaced, so only the folder's own copies), unless ``keep_duplicates``.
    With ``skip_existing`` a recording whose grasp id is in ``dest`` is left out when it is
    the recording imported there (same identity); other files under that id (a corrected
    re-export, or another recording of that name) are skipped (or raise) likewise; without it
    such an id raises before anything is written. Grasps imported without an identity
    (before it was recorded) are taken to be the same, with an
    :class:`UnverifiedSourceWarning`. ``recordings``: with distinct ids (:func:`unique_ids`)."""
    existing = set(scan(resolve(dest))[0]) if not replace and dataset_exists(dest) else set()
    clash = [gid for gid in map(grasp_id_for, (r.stem for r in recordings)) if gid in existing]
    if clash and not skip_existing:
        raise ImportDataError(
            f"{len(clash)} grasp id(s) are already in {dest}: {', '.join(clash[:5])}"
            f"{' ...' if len(clash) > 5 else ''}; nothing was imported",
            hint="pass --skip-existing to import only the new recordings (resume), "
            "or --overwrite to replace the dataset",
        )
    if keep_duplicates and not skip_existing:
        return recordings
    from tactile.io.reader import GraspReader

    extras: dict[str, dict[str, Any]] = {}
    if existing:
        with GraspReader(dest) as reader:
            extras = {gid: dict(reader.metadata(gid).extra) for gid in reader.ids()}
    in_dest: dict[str, str] = {}  # identity -> grasp id in dest
    for gid, extra in extras.items():
        if isinstance(extra.get("source_identity"), str):
            in_dest.setdefault(extra["source_identity"], gid)
    kept: list[ReferenceRecording] = []
    unverified: list[str] = []
    keep = "; or rerun with --keep-duplicates to import it anyway"

    def skip(rec: ReferenceRecording, exc: ImportDataError, *, invalid: bool = False) -> None:
        if skipped is None:
            raise exc
        skipped.append(_skip(rec.avi, exc, invalid=invalid))

    candidates: list[tuple[ReferenceRecording, str]] = []  # new to DEST: check the folder
    for rec in recordings:
        gid = grasp_id_for(rec.stem)
        try:
            identity = source_identity(rec)
        except ImportDataError as exc:  # unreadable: an invalid recording
            skip(rec, exc, invalid=True)
            continue
        if gid in extras:
            extra = extras[gid]
            known = extra.get("source_identity")
            if known is None:
                unverified.append(gid)
            elif known != identity:
                skip(
                    rec,
                    ImportDataError(
                        f"{rec.avi}: its files differ from those imported as grasp {gid!r} in "
                        f"{dest} (from {extra.get('source_file')}, imported "
                        f"{extra.get('imported_utc')}): a corrected re-export, or another "
                        "recording of that name",
                        hint="a corrected copy of that recording: re-import the folder with "
                        "--overwrite (DEST is replaced: add any other folders it held again with "
                        "--append); another recording: rename its "
                        "three files (e.g. add the day to the object name) or import it into "
                        "another file",
                    ),
                )
            continue
        if keep_duplicates:
            kept.append(rec)
        elif identity in in_dest:
            other = in_dest[identity]
            skip(
                rec,
                ImportDataError(
                    f"{rec.avi} is the recording imported as grasp {other!r} in {dest} (from "
                    f"{extras[other].get('source_file')}): the same files under another name",
                    hint=f"nothing to import: its files are in DEST already; if {rec.avi.name} "
                    "is a copy, delete it; if it is the original (DEST holds a copy's name), "
                    "import the folder again with --overwrite (DEST is replaced: add any other "
                    "folders it held again with --append)" + keep,
                ),
            )
        else:
            candidates.append((rec, identity))
    chosen = preferred_copies(candidates, labels, aliases)
    for rec, identity in candidates:
        first = chosen[identity]
        if first is rec:
            kept.append(rec)
            continue
        skip(rec, copy_error(rec, first, "import", keep))
    blind = [g for g, e in extras.items() if not isinstance(e.get("source_identity"), str)]
    if blind and candidates and not keep_duplicates:  # review49: --append said nothing
        warnings.warn(
            f"{len(blind)} grasp(s) in {dest} carry no source identity (imported before tactile "
            "recorded it): renamed copies of them cannot be detected, and would be imported as "
            f"other grasps: {', '.join(blind[:5])}{' ...' if len(blind) > 5 else ''}",
            UnverifiedSourceWarning,
            stacklevel=3,
        )
    if unverified:
        warnings.warn(
            f"{len(unverified)} grasp(s) already in {dest} were imported before tactile "
            "recorded each source's identity, so whether they are these recordings cannot be "
            f"checked; skipped as the same: {', '.join(unverified[:5])}"
            f"{' ...' if len(unverified) > 5 else ''}",
            UnverifiedSourceWarning,
            stacklevel=3,
        )
    return kept


def import_reference(
    src: str | Path,
    dest: str | Path,
    *,
    labels_csv: str | Path | None = None,
    aliases_csv: str | Path | None = None,
    progress: bool = False,
    compression: str | None = "gzip",
    skip_existing: bool = False,
    frame_codec: str = "jpeg",
    mode: str = "append",
    strict: bool = False,
    keep_duplicates: bool = False,
) -> ImportResult:
    """Import reference recordings into the grasp dataset ``dest``; return the new grasp ids.

    An invalid recording in a folder (a missing pickle or AVI, a truncated AVI, NaN samples, ...) is
    skipped with an :class:`ImportSkipWarning` naming it and why, and listed in the result's
    ``skipped``; the others are imported. If no recording in the folder is valid, an
    :class:`~tactile.errors.ImportDataError` says so (its notes name each; one recording: its
    own error) and nothing is written. ``strict=True`` (and a single ``.avi`` as ``src``): the
    first invalid recording raises, all or nothing as ``mode`` says.
    Grasp ids are checked before anything is written; each grasp is durable once written. With
    ``skip_existing`` grasps already in ``dest`` are skipped (resume an import); otherwise an
    id already in ``dest`` is an error and nothing is written.
    ``frame_codec="jpeg"`` (default) stores each MJPG frame's JPEG bytes as the camera wrote
    them (lossless, ~14x smaller than pixels); ``"raw"`` stores decoded pixels.
    A recording whose files are those of a grasp in ``dest`` (appending) or of an earlier
    recording in the folder, under another name (same :func:`source_identity`), is skipped as
    not new (``keep_duplicates=True``: imported again).
    ``mode`` (:class:`~tactile.io.output.WriteMode`): ``"append"`` (default; a failure that
    stops the import, e.g. a full disk or Ctrl-C, leaves ``dest`` as it was), ``"overwrite"``
    or ``"new"``.
    """
    write_mode = WriteMode(mode)
    src = Path(src)
    strict = strict or src.is_file()
    skipped: list[SkippedRecording] = []
    recordings: list[ReferenceRecording] = []
    avis = find_avis(src)
    subs = subfolders_with_recordings(src)
    if subs:
        warnings.warn(
            f"sub-folders of {src} holding .avi recordings are not imported: {_names(subs)}; "
            "import each on its own (e.g. into the same file with --append)",
            IgnoredSubfolderWarning,
            stacklevel=2,
        )
    for avi in avis:
        try:
            rec = recording_files(avi)
            grasp_id_for(rec.stem)
        except ImportDataError as exc:
            if strict:
                raise
            skipped.append(_skip(avi, exc))
            continue
        recordings.append(rec)
    orphans = missing_avis(src)  # pickles without their .avi: not dropped silently
    for orphan in orphans:
        if strict:
            raise ImportDataError(orphan.error, hint=orphan.hint)
        warnings.warn(f"skipped {orphan}", ImportSkipWarning, stacklevel=2)
        skipped.append(orphan)
    labels = read_label_table(labels_csv) if labels_csv is not None else None
    if labels is None:
        warnings.warn(
            "no label table given: grasps are imported without Young's modulus labels",
            LabelWarning,
            stacklevel=2,
        )
    aliases = read_aliases(aliases_csv) if aliases_csv is not None else None
    recordings = unique_ids(recordings, None if strict else skipped)
    recordings = _check_ids(
        recordings,
        dest,
        skip_existing,
        None if strict else skipped,
        replace=write_mode is WriteMode.OVERWRITE,
        keep_duplicates=keep_duplicates,
        labels=labels,
        aliases=aliases,
    )
    pixels = frame_codec != "jpeg"
    items: Iterable[ReferenceRecording] = recordings
    if progress:
        from tqdm import tqdm

        items = tqdm(recordings, desc="import", unit="grasp")
    ids: list[str] = []
    with open_grasp_output(
        dest,
        write_mode,
        compression=compression,
        frame_codec=frame_codec,
        expected=len(recordings),
        rerun="rerun with --skip-existing to import the rest, or --overwrite to start again",
    ) as writer:
        for rec in items:
            try:
                # the camera's JPEG bytes are stored as they are: no need to keep the pixels
                grasp, jpegs = _load_recording(rec.avi, labels, aliases, pixels=pixels)
            except ImportDataError as exc:
                if strict:
                    raise
                skipped.append(_skip(rec.avi, exc))
                continue
            ids.append(writer.append(grasp, camera_jpegs=jpegs))
            del grasp, jpegs  # one recording's frames in memory at a time
        skipped.sort(key=lambda s: _natural_key(Path(s.file).stem))
        invalid = [s for s in skipped if s.invalid]
        if len(invalid) == len(avis) + len(orphans):  # nothing valid (not merely nothing new)
            if len(invalid) == 1:  # the one recording's own error, said once
                raise ImportDataError(invalid[0].error, hint=invalid[0].hint)
            none = ImportDataError(
                f"none of the {len(invalid)} recordings in {src} could be imported (each is "
                "named below with why); nothing was written"
            )
            for s in invalid:
                none.add_note(f"skipped {s}")
            raise none
    return ImportResult(ids, skipped)
