"""Optional Ray support (``pip install "tactile[ray]"``): connect to a cluster, get a pool.

Used by ``tactile search --ray`` (trials as Ray tasks) and ``tactile simulate --ray`` (grasps
as Ray tasks through ``ray.util.multiprocessing.Pool``, a drop-in for ``multiprocessing.Pool``).
``address``: ``"auto"`` joins the cluster this machine belongs to (started with ``ray start``),
``"ray://host:10001"`` goes through Ray Client, ``"local"`` starts a private instance on this
machine. Nothing is scheduled by tactile itself: Ray places the tasks.
"""

from __future__ import annotations

from typing import Any

from tactile.errors import ConfigError


def import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(
            "Ray is not installed", hint='pip install "tactile[ray]" (or drop --ray)'
        ) from exc
    return ray


def init_ray(address: str = "local", *, num_cpus: int | None = None) -> Any:
    """Connect to (or start) Ray once per process; returns the ``ray`` module."""
    ray = import_ray()
    if ray.is_initialized():
        return ray
    kwargs: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "ignore_reinit_error": True,
    }
    if address == "local":
        kwargs["num_cpus"] = num_cpus
    else:
        kwargs["address"] = address
    try:
        ray.init(**kwargs)
    except ConnectionError as exc:
        raise ConfigError(
            f"cannot reach the Ray cluster at {address!r} ({exc})",
            hint="start it with `ray start --head` (see docs/search.md) or use --ray local",
        ) from exc
    return ray


def ray_pool(address: str = "local", processes: int | None = None) -> Any:
    """A ``multiprocessing.Pool``-compatible pool whose workers are Ray actors."""
    init_ray(address, num_cpus=processes)
    from ray.util.multiprocessing import Pool

    return Pool(processes=processes)
