"""Small numeric helpers that keep scipy out of an estimate's start-up.

Importing scipy's ``ndimage`` and ``fft`` costs more than numpy, OpenCV and h5py together
(BENCHMARKS.md, "Start-up"), and an estimate needs only three things from them, which numpy and
OpenCV (both loaded anyway) do as well:

- :func:`running_median`: ``scipy.ndimage.median_filter(x, size, mode="nearest")`` on 1-D
  signals, exactly (the same order statistic of the same samples);
- :func:`next_fast_len_real`: ``scipy.fft.next_fast_len(n, real=True)``, exactly (the next
  2^a 3^b 5^c);
- :func:`dct2_ortho` / :func:`idct2_ortho`: ``scipy.fft.dctn`` / ``idctn`` (type 2,
  ``norm="ortho"``) on even-sized float32 arrays via ``cv2.dct`` / ``cv2.idct`` (the same
  orthonormal transform; they agree to float32 rounding, ~1e-6).
"""

from __future__ import annotations

import numpy as np


def running_median(x: np.ndarray, size: int) -> np.ndarray:
    """Median of the ``size`` samples centred on each sample, edges repeated (odd ``size``)."""
    a = np.asarray(x, dtype=np.float64)
    half = size // 2
    padded = np.pad(a, half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, size)
    return np.median(windows, axis=1)


def next_fast_len_real(n: int) -> int:
    """The smallest integer >= ``n`` with no prime factor above 5."""
    m = max(int(n), 1)
    while True:
        k = m
        for p in (2, 3, 5):
            while k % p == 0:
                k //= p
        if k == 1:
            return m
        m += 1


def dct2_ortho(a: np.ndarray) -> np.ndarray:
    """2-D orthonormal DCT-II of an even-sized float32 array."""
    import cv2

    return np.asarray(cv2.dct(np.ascontiguousarray(a, dtype=np.float32)))


def idct2_ortho(a: np.ndarray) -> np.ndarray:
    """Inverse of :func:`dct2_ortho` (the orthonormal DCT-III)."""
    import cv2

    return np.asarray(cv2.idct(np.ascontiguousarray(a, dtype=np.float32)))
