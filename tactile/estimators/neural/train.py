"""Training: Gaussian NLL on standardised log10 E, early stopping on held-out objects, resumable.

The loss is ``0.5 * (logvar + (y - mu)^2 / exp(logvar)) + mse_weight * (y - mu)^2`` — the NLL of
Nix & Weigend (1994) plus a squared-error term that keeps the mean learning while the variance
is still large. Early stopping watches the same loss on a validation split of *objects*; the
best weights are kept. After training, ``sigma_scale`` is fitted on the validation objects so the
68 % intervals cover about 68 % (post-hoc calibration, Kuleshov et al. 2018, in its simplest form).
``last.pt`` in the output folder holds the full training state, so ``resume=True`` continues
an interrupted run exactly where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tactile.errors import ConfigError
from tactile.estimators.neural.checkpoint import LoadedModel, load_checkpoint, save_checkpoint
from tactile.estimators.neural.config import MultiTowerConfig
from tactile.estimators.neural.data import PreparedDataset
from tactile.estimators.neural.inputs import Normalization
from tactile.estimators.neural.metrics import fit_sigma_scale, interval_coverage, object_metrics
from tactile.estimators.neural.model import MultiTowerNet
from tactile.estimators.neural.predict import predict_log10
from tactile.estimators.neural.tensors import AugmentConfig, augment, normalize, to_tensors

#: a sensible value per integer setting, named when one is refused (newuser42: "e.g. 50" for
#: every one, a batch size and a patience included)
_INTEGER_EXAMPLES = {
    "epochs": "200 (the default; fewer for a quick try, e.g. 20)",
    "batch_size": "64 (the default; 16 or 32 for a few grasps)",
    "patience": "30 (the default: epochs without validation improvement before stopping)",
}


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings (the architecture lives in :class:`MultiTowerConfig`)."""

    epochs: int = 200
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-4
    patience: int = 30  # epochs without validation improvement before stopping
    mse_weight: float = 0.5
    seed: int = 0
    augment: AugmentConfig = field(default_factory=AugmentConfig)  # or True/False: on/off
    num_threads: int | None = None  # None: every core of the machine

    def __post_init__(self) -> None:
        if isinstance(self.augment, dict):
            object.__setattr__(self, "augment", AugmentConfig(**self.augment))
        elif isinstance(self.augment, bool):  # a recipe's or a searched on/off
            object.__setattr__(self, "augment", AugmentConfig(enabled=self.augment))
        for name, example in _INTEGER_EXAMPLES.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                flag = "--" + name.replace("_", "-")
                raise ConfigError(
                    f"TrainConfig.{name}={v!r} ({flag}) must be an integer >= 1",
                    hint=f"e.g. {flag} {example}",
                )
        if not (self.lr > 0 and self.weight_decay >= 0 and self.mse_weight >= 0):
            raise ConfigError(
                "TrainConfig.lr must be > 0, weight_decay and mse_weight >= 0",
                hint="e.g. lr=2e-3, weight_decay=1e-4, mse_weight=0.5",
            )


@dataclass
class TrainResult:
    loaded: LoadedModel
    history: list[dict[str, float]]
    best_epoch: int
    val_metrics: dict[str, float]


def set_threads(num_threads: int | None) -> int:
    n = num_threads or os.cpu_count() or 1
    torch.set_num_threads(max(1, n))
    return n


def gaussian_nll(
    mu: torch.Tensor, logvar: torch.Tensor, y: torch.Tensor, mse_weight: float
) -> torch.Tensor:
    sq = (y - mu) ** 2
    return (0.5 * (logvar + sq * torch.exp(-logvar)) + mse_weight * sq).mean()


def _batch(data: PreparedDataset, idx: np.ndarray) -> dict[str, torch.Tensor]:
    return to_tensors({k: v[idx] for k, v in data.arrays.items()})


def _target(data: PreparedDataset, norm: Normalization) -> torch.Tensor:
    y = (data.log10_modulus - norm.target_mean) / norm.target_std
    return torch.as_tensor(y, dtype=torch.float32)


def eval_loss(
    model: MultiTowerNet, data: PreparedDataset, norm: Normalization, mse_weight: float
) -> float:
    model.eval()
    with torch.no_grad():
        mu, logvar = model(normalize(to_tensors(data.arrays), norm))
        return float(gaussian_nll(mu, logvar, _target(data, norm), mse_weight))


def _epoch(
    model: MultiTowerNet,
    opt: torch.optim.Optimizer,
    data: PreparedDataset,
    norm: Normalization,
    cfg: TrainConfig,
    gen: torch.Generator,
) -> float:
    model.train()
    y_all = _target(data, norm)
    perm = torch.randperm(len(data), generator=gen).numpy()
    total, n = 0.0, 0
    for start in range(0, len(perm), cfg.batch_size):
        idx = perm[start : start + cfg.batch_size]
        if len(idx) < 2 and len(perm) > 1:
            continue  # a batch of one adds noise and nothing else
        x = normalize(augment(_batch(data, idx), cfg.augment, gen), norm)
        mu, logvar = model(x)
        loss = gaussian_nll(mu, logvar, y_all[idx], cfg.mse_weight)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        total += float(loss.detach()) * len(idx)
        n += len(idx)
    return total / max(n, 1)


def _state(model: MultiTowerNet) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


@dataclass
class _Run:
    """Everything that changes during training (and is saved in ``last.pt`` for --resume)."""

    model: MultiTowerNet
    opt: torch.optim.Optimizer
    sched: torch.optim.lr_scheduler.LRScheduler
    gen: torch.Generator
    norm: Normalization
    epoch: int = 0
    history: list[dict[str, float]] = field(default_factory=list)
    best_score: float = math.inf
    best_epoch: int = -1
    best_state: dict[str, torch.Tensor] = field(default_factory=dict)

    def train_state(self) -> dict[str, Any]:
        return {
            "epoch": self.epoch,
            "optimizer": self.opt.state_dict(),
            "scheduler": self.sched.state_dict(),
            "generator": self.gen.get_state(),
            "history_json": json.dumps(self.history),
            "best_score": self.best_score,
            "best_epoch": self.best_epoch,
            "best_state": self.best_state,
        }

    def restore(
        self, path: Path, finetuned_from: str | None = None, fingerprint: str | None = None
    ) -> None:
        loaded = load_checkpoint(path)
        st = loaded.train_state
        if st is None:
            raise ConfigError(f"{path} holds no training state", hint="start without --resume")
        check_resumable(path, loaded)  # a finished run's state first: nothing to continue
        # a run that started from a checkpoint records it (review41): resuming it without
        # --finetune (or from another one) would write the fine-tuned weights with a plain
        # run's OOD reference, schedule and no carried terms
        if "finetuned_from" in loaded.info and loaded.info["finetuned_from"] != finetuned_from:
            was = loaded.info["finetuned_from"]
            raise ConfigError(
                f"{path} continues "
                + (f"a fine-tune of {was}" if was else "a run that started from no checkpoint")
                + (f", not of {finetuned_from}" if finetuned_from else ""),
                hint=f"resume with --finetune {was}" if was else "resume without --finetune",
            )
        if loaded.config != self.model.config:
            raise ConfigError(
                f"{path} was trained with another network config",
                hint="resume with the same --config, or start a new --out folder",
            )
        check_resumable(path, loaded, fingerprint)  # the same data and settings
        self.model.load_state_dict(loaded.model.state_dict())
        self.opt.load_state_dict(st["optimizer"])
        self.sched.load_state_dict(st["scheduler"])
        self.gen.set_state(st["generator"])
        self.norm = loaded.normalization
        self.epoch, self.history = int(st["epoch"]), json.loads(st["history_json"])
        self.best_score, self.best_epoch = float(st["best_score"]), int(st["best_epoch"])
        self.best_state = dict(st["best_state"])


def check_resumable(path: Path, loaded: LoadedModel, fingerprint: str | None = None) -> None:
    """Refuse to resume a finished run's state (review55: its model.pt would be replaced) or,
    given ``fingerprint``, the state of a run on other data or with another recipe. A state
    written before fingerprints (none stored) is not compared."""
    st = loaded.train_state or {}
    if st.get("finished"):
        raise ConfigError(
            f"--resume: {path} is the state of a run that finished (its model is "
            f"{path.parent / 'model.pt'}); there is nothing to continue",
            hint="the run finished; use --overwrite (without --resume) to train a new model in "
            "that folder, or choose another --out",
        )
    stored = loaded.info.get("fingerprint")
    if fingerprint is not None and isinstance(stored, str) and stored != fingerprint:
        raise ConfigError(
            f"--resume: {path} is the state of a run on other data or with another recipe "
            "(network, settings, calibration or analytical estimator) than this command's",
            hint="resume with the interrupted run's data and settings, or start a new run "
            "(--overwrite, without --resume, or another --out)",
        )


def run_fingerprint(
    train: PreparedDataset,
    val: PreparedDataset | None,
    model_config: MultiTowerConfig,
    cfg: TrainConfig,
    info: dict[str, Any] | None = None,
) -> str:
    """What a resumed run must share with the interrupted one: its training and validation
    grasps and labels, network config, settings (threads aside) and the calibration and
    analytical estimator its inputs were prepared with."""
    h = hashlib.sha256()
    h.update(model_config.to_json().encode())
    settings = {k: v for k, v in asdict(cfg).items() if k != "num_threads"}
    extra = {k: (info or {}).get(k) for k in ("calibration", "analytical")}
    h.update(json.dumps([settings, extra], sort_keys=True, default=str).encode())
    for part in (train, val):
        if part is None:
            h.update(b"-")
            continue
        h.update("\n".join(part.grasp_ids.astype(str).tolist()).encode())
        h.update(np.ascontiguousarray(part.log10_modulus, dtype=np.float64).tobytes())
    return h.hexdigest()


def mark_finished(path: Path) -> None:
    """Record in a run's ``last.pt`` that the run finished (review55): --resume refuses it,
    and --model names it as a finished run's state."""
    if not path.is_file():
        return
    loaded = load_checkpoint(path)
    if loaded.train_state is None:
        return
    save_checkpoint(
        path,
        loaded.model,
        loaded.normalization,
        sigma_scale=loaded.sigma_scale,
        metrics=loaded.metrics,
        info=loaded.info,
        train_state={**loaded.train_state, "finished": True},
    )


def _new_run(
    train: PreparedDataset,
    model_config: MultiTowerConfig,
    cfg: TrainConfig,
    init: LoadedModel | None,
) -> _Run:
    torch.manual_seed(cfg.seed)
    if init is not None:
        model = MultiTowerNet(init.config)
        model.load_state_dict(init.model.state_dict())
        norm = init.normalization
    else:
        model = MultiTowerNet(model_config)
        norm = Normalization.fit(train.arrays, train.log10_modulus)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.epochs, eta_min=cfg.lr * 0.02)
    gen = torch.Generator().manual_seed(cfg.seed)
    return _Run(model, opt, sched, gen, norm, best_state=_state(model))


def train_model(
    train: PreparedDataset,
    val: PreparedDataset | None,
    model_config: MultiTowerConfig,
    cfg: TrainConfig = TrainConfig(),
    *,
    out_dir: str | Path | None = None,
    resume: bool = False,
    init: LoadedModel | None = None,
    info: dict[str, Any] | None = None,
    progress: bool = True,
) -> TrainResult:
    """Train one network; with ``init`` (fine-tuning) start from its weights and normalisation.

    Early stopping on ``val`` (held-out objects; the training loss when ``val`` is None or empty).
    With ``out_dir``, ``last.pt`` is written every epoch and ``model.pt`` (best epoch) at the end.
    """
    from tqdm import tqdm

    set_threads(cfg.num_threads)
    run = _new_run(train, model_config, cfg, init)
    out = Path(out_dir) if out_dir is not None else None
    base = str(Path(init.path).resolve()) if init is not None and init.path is not None else None
    fingerprint = run_fingerprint(train, val, model_config, cfg, info) if out else None
    if resume and out is not None and (out / "last.pt").is_file():
        run.restore(out / "last.pt", base, fingerprint)
    bar = tqdm(total=cfg.epochs, initial=run.epoch, desc="train", disable=not progress)
    while run.epoch < cfg.epochs and run.epoch - run.best_epoch <= cfg.patience:
        train_loss = _epoch(run.model, run.opt, train, run.norm, cfg, run.gen)
        run.sched.step()
        val_loss = (
            eval_loss(run.model, val, run.norm, cfg.mse_weight)
            if val is not None and len(val) > 0
            else train_loss
        )
        run.history.append({"epoch": run.epoch, "train_loss": train_loss, "val_loss": val_loss})
        if val_loss < run.best_score - 1e-4:
            run.best_score, run.best_epoch, run.best_state = val_loss, run.epoch, _state(run.model)
        run.epoch += 1
        bar.update(1)
        bar.set_postfix(train=f"{train_loss:.3f}", val=f"{val_loss:.3f}", best=run.best_epoch)
        if out is not None:
            save_checkpoint(
                out / "last.pt",
                run.model,
                run.norm,
                train_state=run.train_state(),
                info={"finetuned_from": base, "fingerprint": fingerprint},
            )
    bar.close()
    run.model.load_state_dict(run.best_state)
    run.model.eval()
    return _finish(run.model, run.norm, val, run.history, run.best_epoch, cfg, out, info)


def _finish(
    model: MultiTowerNet,
    norm: Normalization,
    val: PreparedDataset | None,
    history: list[dict[str, float]],
    best_epoch: int,
    cfg: TrainConfig,
    out: Path | None,
    info: dict[str, Any] | None,
) -> TrainResult:
    loaded = LoadedModel(
        model=model, config=model.config, normalization=norm, info=dict(info or {})
    )
    val_metrics: dict[str, float] = {}
    if val is not None and len(val):
        mu, sigma = predict_log10(loaded, val.arrays)
        loaded.sigma_scale = fit_sigma_scale(val.log10_modulus, mu, sigma)
        val_metrics = object_metrics(val.object_ids, val.log10_modulus, mu)
        val_metrics["coverage_68"] = interval_coverage(
            val.log10_modulus, mu, sigma * loaded.sigma_scale
        )
        val_metrics["sigma_scale"] = loaded.sigma_scale
    loaded.metrics = {"val": val_metrics, "best_epoch": best_epoch, "epochs_run": len(history)}
    loaded.info.setdefault("train_config", json.loads(json.dumps(asdict(cfg))))
    if out is not None:
        loaded.path = save_checkpoint(
            out / "model.pt",
            model,
            norm,
            sigma_scale=loaded.sigma_scale,
            metrics=loaded.metrics,
            info=loaded.info,
        )
        (out / "config.json").write_text(model.config.to_json() + "\n")
        (out / "metrics.json").write_text(
            json.dumps({**loaded.metrics, "history": history}, indent=2) + "\n"
        )
    return TrainResult(loaded, history, best_epoch, val_metrics)


def finetune_config(cfg: TrainConfig) -> TrainConfig:
    """Settings for fine-tuning on a few real grasps: 10x lower LR, short, little augmentation."""
    return replace(
        cfg,
        lr=cfg.lr * 0.1,
        epochs=min(cfg.epochs, 60),
        patience=min(cfg.patience, 15),
        batch_size=min(cfg.batch_size, 16),
        augment=replace(cfg.augment, scale=0.05, gain=0.1),
    )
