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
import itertools
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
    body = chunk[:-4]
    _check_sums(body, fletcher32_sums(body), chunk[-4:], where)
    return body


def _check_sums(body: bytes, sums: tuple[int, int], stored_bytes: bytes, where: str) -> None:
    """Raise unless ``stored_bytes`` is the Fletcher-32 HDF5 accepts for ``body``, whose two
    sums (mod 65535) are ``sums``."""
    stored = int.from_bytes(stored_bytes, "little")
    s1, s2 = sums
    if s1 == 0 or s2 == 0:
        # HDF5's end-around-carry sums are 0 only for all-zero data, else 1..0xFFFF
        nonzero = bool(np.frombuffer(body, dtype=np.uint8).any())
        s1, s2 = (s1 or (_MOD if nonzero else 0)), (s2 or (_MOD if nonzero else 0))
    value = s2 << 16 | s1
    # HDF5 < 1.6.3 wrote the bytes of each 16-bit half swapped; HDF5 accepts that, nothing else
    swapped = (value & 0x00FF00FF) << 8 | (value >> 8) & 0x00FF00FF
    if stored not in (value, swapped):
        raise ChunkError(f"{where}: Fletcher-32 checksum mismatch")


#: At most this many 16-bit words in one :func:`_fletcher32_sums_many` call: every int64
#: product ``index * word`` and every chunk's sum of them stays below 2**63.
_MANY_WORDS = 1 << 22


@functools.cache
def _index_table() -> np.ndarray:
    return np.arange(1 << 18, dtype=np.int64)


def _word_indices(n: int) -> np.ndarray:
    """``arange(n)`` as int64 (a view of one cached table when ``n`` is at most 2**18)."""
    return _index_table()[:n] if n <= 1 << 18 else np.arange(n, dtype=np.int64)


def _fletcher32_sums_many(bodies: Sequence[bytes]) -> list[tuple[int, int]]:
    """:func:`fletcher32_sums` of each of ``bodies`` (each non-empty; at most
    ``_MANY_WORDS`` words in all) in a few array operations instead of a few per body: a
    tiled image's 48 small chunks cost ~20 us each one by one.

    The bodies, each padded to whole words as HDF5 pads it (a trailing odd byte is the high
    byte of a last word), are laid end to end; body ``k`` holds words ``s_k .. e_k - 1``. Its
    ``sum1`` is the sum of its words, and its ``sum2 = sum((e_k - g) w_g)`` over global
    indices ``g`` (the weight ``m - i + 1`` of its ``i``-th word) is ``e_k * sum1 - sum(g
    w_g)``: exact int64 sums, reduced mod 65535 at the end like the one-body sums.
    """
    padded = [b + b"\0" if len(b) % 2 else b for b in bodies]
    sizes = np.fromiter((len(b) // 2 for b in padded), dtype=np.int64, count=len(padded))
    ends = np.cumsum(sizes)
    starts = ends - sizes
    words = np.frombuffer(b"".join(padded), dtype=">u2").astype(np.int64)
    s1 = np.add.reduceat(words, starts)
    weighted = np.add.reduceat(words * _word_indices(words.size), starts)
    s2 = ends * s1 - weighted
    return [(int(a) % _MOD, int(b) % _MOD) for a, b in zip(s1, s2, strict=True)]


def direct_pipeline(ds: h5py.Dataset) -> tuple[int, ...] | None:
    """The filter ids of ``ds`` when its chunks can be read here, else None."""
    if ds.chunks is None or ds.dtype != np.uint8:
        return None
    plist = ds.id.get_create_plist()
    filters = tuple(int(plist.get_filter(i)[0]) for i in range(plist.get_nfilters()))
    return filters if filters in _SUPPORTED else None


def _raw_chunk(ds: h5py.Dataset, offset: tuple[int, ...]) -> bytes | None:
    """A chunk's stored bytes, or None when h5py must read it."""
    try:
        mask, raw = ds.id.read_direct_chunk(offset)
    except (KeyError, RuntimeError, OSError, ValueError):
        return None  # not allocated (fill value) or unreadable here: h5py decides
    if mask:
        return None  # a filter was skipped for this chunk (HDF5 records it): h5py undoes it
    return bytes(raw)


def _chunk_bytes(
    ds: h5py.Dataset,
    offset: tuple[int, ...],
    filters: tuple[int, ...],
    chunks: tuple[int, ...],
    where: str,
) -> np.ndarray | None:
    """One whole chunk (the dataset's chunk shape), or None when h5py must read it."""
    raw = _raw_chunk(ds, offset)
    return None if raw is None else _decoded(raw, filters, chunks, where)


def _decoded(
    raw: bytes,
    filters: tuple[int, ...],
    chunks: tuple[int, ...],
    where: str,
    sums: tuple[int, int] | None = None,
) -> np.ndarray:
    """A chunk's stored bytes checked and undone through ``filters``, shaped ``chunks``;
    ``sums``: the body's Fletcher-32 sums when already taken (:func:`_fletcher32_sums_many`)."""
    body = raw
    if _FLETCHER32 in filters:
        if sums is None:
            body = _check_fletcher32(raw, where)
        else:
            body = raw[:-4]
            _check_sums(body, sums, raw[-4:], where)
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
    reference frame: 120 x 160 x 1 tiles of a 480 x 640 x 3 image). Directly, all chunks'
    stored bytes are fetched first and their Fletcher-32 sums taken in one go
    (:func:`_fletcher32_sums_many`); then chunk by chunk, in h5py's chunk order, each is
    checked, inflated and placed, or read through h5py: the same bytes and the same first
    error as one chunk at a time.
    """
    chunks = ds.chunks
    if chunks is None:
        return np.asarray(ds[()])
    filters = direct_pipeline(ds)
    chunks = tuple(int(c) for c in chunks)
    shape = tuple(int(s) for s in ds.shape)
    out = np.empty(shape, dtype=ds.dtype)
    # the chunk grid in C order, as h5py's iter_chunks walks it
    offsets = list(itertools.product(*(range(0, s, c) for s, c in zip(shape, chunks, strict=True))))
    sels = [
        tuple(slice(o, min(o + c, s)) for o, c, s in zip(off, chunks, shape, strict=True))
        for off in offsets
    ]
    if filters is None:
        for sel in sels:
            out[sel] = ds[sel]
        return out
    raws: list[bytes | None] = [_raw_chunk(ds, off) for off in offsets]
    sums: list[tuple[int, int] | None] = [None] * len(raws)
    if _FLETCHER32 in filters:
        bodies = {k: r[:-4] for k, r in enumerate(raws) if r is not None and len(r) > 4}
        words = sum((len(b) + 1) // 2 for b in bodies.values())
        if len(bodies) > 1 and words <= _MANY_WORDS:
            many = _fletcher32_sums_many(list(bodies.values()))
            for k, pair in zip(bodies, many, strict=True):
                sums[k] = pair
    for off, sel, raw, s12 in zip(offsets, sels, raws, sums, strict=True):
        if raw is None:  # not allocated, a filter skipped, or unreadable here: h5py decides
            out[sel] = ds[sel]
            continue
        chunk = _decoded(raw, filters, chunks, f"chunk {off}", s12)
        out[sel] = chunk[tuple(slice(0, s.stop - s.start) for s in sel)]
    return out
