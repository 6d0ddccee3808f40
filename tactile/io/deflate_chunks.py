"""Read deflate-compressed HDF5 chunks straight from the file (the grasp-estimate fast path).

A raw frame of a simulated grasp is one 480 x 640 x 3 chunk, gzip (deflate) + Fletcher-32.
Read cold through HDF5's filter pipeline such a frame cost about 3.6 ms of CPU on the shared
2-core machine of 2026-12-06, nearly all of it zlib's inflate; reading the stored bytes with
``read_direct_chunk`` and inflating them with zlib here cost the same. libdeflate inflates the
same stream in about half the time (1.2 against 2.6 ms), which is what this module is for
(BENCHMARKS.md, "Reading raw frames").

Only pipelines this module can undo exactly are read this way: no filter, deflate, Fletcher-32,
or deflate then Fletcher-32, on a uint8 dataset. Anything else (shuffle, LZF, szip, scale-offset,
a chunk that skipped a filter, a chunk never written) goes through h5py as before. The bytes are
the same either way, and the checks at least as strict:

- Fletcher-32 as HDF5 computes it (``H5_checksum_fletcher32``: the data as big-endian 16-bit
  words, a trailing odd byte as the high byte of a last word; both running sums modulo 65535;
  stored little-endian as ``sum2 << 16 | sum1``, each sum 1..0xFFFF unless the data are all
  zero; HDF5 also accepts the value that versions before 1.6.3 wrote, the bytes of each 16-bit
  half swapped, and so does this, and nothing else);
- deflate streams are zlib streams, whose own Adler-32 ``zlib.decompress`` verifies;
- the inflated size must be the chunk's size.

A failed check raises :class:`ChunkError` (a ``ValueError``), which readers turn into a
``CorruptFileError`` naming the grasp, as they do HDF5's own errors.
"""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Sequence
from typing import Any

import h5py
import numpy as np

_DEFLATE = h5py.h5z.FILTER_DEFLATE
_FLETCHER32 = h5py.h5z.FILTER_FLETCHER32
_SUPPORTED = ((), (_DEFLATE,), (_FLETCHER32,), (_DEFLATE, _FLETCHER32))
_MOD = 65535
_BLOCK_WORDS = 1 << 20

_libdeflate: Any
try:  # libdeflate's bindings (a dependency; zlib keeps the reader working without them)
    import deflate as _libdeflate
except ImportError:  # pragma: no cover - only without the dependency
    _libdeflate = None
_INFLATE_ERRORS: tuple[type[Exception], ...] = (zlib.error,) + (
    (_libdeflate.DeflateError,) if _libdeflate is not None else ()
)


class ChunkError(ValueError):
    """A chunk's checksum, compressed stream or size is wrong."""


@functools.cache
def _descending_weights() -> np.ndarray:
    """``_descending_weights()[-m:]`` are the weights ``m, m-1, .., 1`` (mod 65535) of an
    ``m``-word block, as float64: every product is below 2**32 and every partial sum of a block
    below 2**52, so BLAS's float dot is exact. Built by tiling ``0 .. 65534`` and reversing
    (``k mod 65535`` is that sawtooth): the same values as ``arange % 65535``, whose int64
    modulo over 2**20 words cost ~35 ms of a process's first raw-frame read."""
    periods = -(-(_BLOCK_WORDS + 1) // _MOD)
    sawtooth = np.tile(np.arange(_MOD, dtype=np.float64), periods)  # sawtooth[k] = k mod 65535
    return np.ascontiguousarray(sawtooth[_BLOCK_WORDS:0:-1])


def fletcher32_sums(data: bytes | memoryview) -> tuple[int, int]:
    """HDF5's Fletcher-32 of ``data`` as its two sums, each modulo 65535.

    Over 16-bit words ``w_1 .. w_m``: ``sum1 = sum(w_i)`` and ``sum2 = sum((m - i + 1) w_i)``
    (the running sum of the running sums), both mod 65535.
    """
    buf = bytes(data) + b"\0" if len(data) % 2 else data
    words = np.frombuffer(buf, dtype=">u2").astype(np.float64)
    m = words.size
    if m <= _BLOCK_WORDS:
        weights = _descending_weights()[_BLOCK_WORDS - m :]
        return int(words.sum()) % _MOD, int(np.dot(weights, words)) % _MOD
    s1 = s2 = 0
    for lo in range(0, m, _BLOCK_WORDS):
        part = words[lo : lo + _BLOCK_WORDS]
        w = np.arange(m - lo, m - lo - part.size, -1, dtype=np.int64) % _MOD
        s1 += int(part.sum())
        s2 += int(np.dot(w.astype(np.float64), part))
    return s1 % _MOD, s2 % _MOD


def _inflate(data: bytes, n_bytes: int, where: str) -> bytes | bytearray:
    """A zlib stream inflated to ``n_bytes`` (libdeflate when installed: about twice zlib's
    speed), its Adler-32 verified."""
    try:
        if _libdeflate is not None:
            out = _libdeflate.zlib_decompress(data, n_bytes)
        else:
            out = zlib.decompress(data)
    except _INFLATE_ERRORS as exc:
        raise ChunkError(f"{where}: compressed bytes cannot be inflated ({exc})") from exc
    if len(out) != n_bytes:
        raise ChunkError(f"{where}: inflates to {len(out)} bytes, expected {n_bytes}")
    return out


def _check_fletcher32(chunk: bytes, where: str) -> bytes:
    if len(chunk) < 4:
        raise ChunkError(f"{where}: chunk of {len(chunk)} bytes has no Fletcher-32 checksum")
    body, stored = chunk[:-4], int.from_bytes(chunk[-4:], "little")
    s1, s2 = fletcher32_sums(body)
    if s1 == 0 or s2 == 0:
        # HDF5's end-around-carry sums are 0 only for all-zero data, else 1..0xFFFF
        nonzero = bool(np.frombuffer(body, dtype=np.uint8).any())
        s1, s2 = (s1 or (_MOD if nonzero else 0)), (s2 or (_MOD if nonzero else 0))
    value = s2 << 16 | s1
    # HDF5 < 1.6.3 wrote the bytes of each 16-bit half swapped; HDF5 accepts that, nothing else
    swapped = (value & 0x00FF00FF) << 8 | (value >> 8) & 0x00FF00FF
    if stored not in (value, swapped):
        raise ChunkError(f"{where}: Fletcher-32 checksum mismatch")
    return body


def direct_pipeline(ds: h5py.Dataset) -> tuple[int, ...] | None:
    """The filter ids of ``ds`` when its chunks can be read here, else None."""
    if ds.chunks is None or ds.dtype != np.uint8:
        return None
    plist = ds.id.get_create_plist()
    filters = tuple(int(plist.get_filter(i)[0]) for i in range(plist.get_nfilters()))
    return filters if filters in _SUPPORTED else None


def _chunk_bytes(
    ds: h5py.Dataset,
    offset: tuple[int, ...],
    filters: tuple[int, ...],
    chunks: tuple[int, ...],
    where: str,
) -> np.ndarray | None:
    """One whole chunk (the dataset's chunk shape), or None when h5py must read it."""
    try:
        mask, raw = ds.id.read_direct_chunk(offset)
    except (KeyError, RuntimeError, OSError, ValueError):
        return None  # not allocated (fill value) or unreadable here: h5py decides
    if mask:
        return None  # a filter was skipped for this chunk (HDF5 records it): h5py undoes it
    body = bytes(raw)
    if _FLETCHER32 in filters:
        body = _check_fletcher32(body, where)
    n = math.prod(chunks)
    data: bytes | bytearray = body
    if _DEFLATE in filters:
        data = _inflate(body, n, where)
    elif len(data) != n:
        raise ChunkError(f"{where}: chunk of {len(data)} bytes, expected {n}")
    return np.frombuffer(data, dtype=np.uint8).reshape(chunks)


def read_frames_into(ds: h5py.Dataset, order: Sequence[int], out: np.ndarray) -> None:
    """``out[k] = ds[order[k]]`` for a (T, ...) dataset, one frame at a time: directly when
    the dataset is chunked one frame per chunk with a pipeline read here (checked once),
    else through h5py (one plain selection per frame: h5py's list selection is ~50x slower)."""
    filters = direct_pipeline(ds)
    chunks = tuple(int(c) for c in ds.chunks or ())
    direct = filters is not None and chunks == (1, *ds.shape[1:])
    zeros = (0,) * (len(chunks) - 1)
    for k, index in enumerate(order):
        chunk = None
        if direct:
            assert filters is not None
            chunk = _chunk_bytes(ds, (int(index), *zeros), filters, chunks, f"frame {index}")
        if chunk is None:
            ds.read_direct(out, np.s_[int(index)], np.s_[k])
        else:
            out[k] = chunk[0]


def read_frame_into(ds: h5py.Dataset, index: int, out: np.ndarray) -> None:
    """``out[...] = ds[index]`` (:func:`read_frames_into` for one frame)."""
    read_frames_into(ds, [index], out[np.newaxis])


def read_whole(ds: h5py.Dataset) -> np.ndarray:
    """The whole of ``ds``, chunk by chunk (directly where the pipeline allows, else h5py).

    Reading chunk-shaped selections also spares HDF5 scattering each chunk into strided memory
    when a chunk does not span the trailing axes (h5py's automatic chunking of a stored
    reference frame: 120 x 160 x 1 tiles of a 480 x 640 x 3 image).
    """
    chunks = ds.chunks
    if chunks is None:
        return np.asarray(ds[()])
    filters = direct_pipeline(ds)
    chunks = tuple(int(c) for c in chunks)
    out = np.empty(ds.shape, dtype=ds.dtype)
    for sel in ds.iter_chunks():
        chunk = None
        if filters is not None:
            offset = tuple(int(s.start) for s in sel)
            chunk = _chunk_bytes(ds, offset, filters, chunks, f"chunk {offset}")
        if chunk is None:
            out[sel] = ds[sel]
        else:
            out[sel] = chunk[tuple(slice(0, s.stop - s.start) for s in sel)]
    return out
