"""Weight sharing over the tabular space: one supernet whose sub-networks are the cells.

Every cell of :mod:`tactile.search.tabular` is a sub-network of one supernet: the force and
width towers are 48 wide with a 24-wide embedding, and a cell's 16-wide tower uses the first 16
hidden units and the first 8 embedding units (nested sub-networks, as in SortedNet / Once-for-All
elastic width); a tower that is off contributes zeros to its fixed slot of the fusion input;
the fusion head's first layer is 64 wide, a "32" cell uses its first 32 units and goes straight
to the output layer, a "64-64" cell goes through the second layer too (elastic depth).

Training follows the sandwich rule of BigNAS / slimmable networks (Yu et al. 2020): each step
sums the loss of the largest cell, the smallest (a 16-wide force tower alone, fusion 32) and two
random cells. A cell is then scored without training: the held-out error of its sub-network with
the shared weights. Whether those scores rank the cells as stand-alone training does (Kendall
tau on the tabular benchmark) decides whether the supernet may stand in for training
(``docs/search.md``); it is not used by ``tactile search`` unless it does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from tactile.estimators.neural.config import (
    ANALYTICAL_CHANNELS,
    FORCE_CHANNELS,
    GEOMETRY_CHANNELS,
    WIDTH_CHANNELS,
)
from tactile.estimators.neural.data import PreparedDataset
from tactile.estimators.neural.inputs import Normalization
from tactile.estimators.neural.tensors import normalize, to_tensors
from tactile.estimators.neural.train import gaussian_nll
from tactile.search.tabular import CELL_CHOICES, DIMENSIONS

LARGEST = {
    "image": "1x8",
    "force": "48",
    "width": "48",
    "analytical": "16",
    "geometry": "16",
    "fusion": "64-64",
}
SMALLEST = {
    "image": "off",
    "force": "16",
    "width": "off",
    "analytical": "off",
    "geometry": "off",
    "fusion": "32",
}


class _ElasticTower(nn.Module):
    """MLP tower n_in -> hidden (<= max) -> embed (<= max), sliced to a cell's width."""

    def __init__(self, n_in: int, hidden: int, embed: int) -> None:
        super().__init__()
        self.l1, self.l2 = nn.Linear(n_in, hidden), nn.Linear(hidden, embed)
        self.embed = embed

    def forward(self, x: Tensor, hidden: int) -> Tensor:
        e = hidden // 2
        h = nn.functional.gelu(x @ self.l1.weight[:hidden].T + self.l1.bias[:hidden])
        out = nn.functional.gelu(h @ self.l2.weight[:e, :hidden].T + self.l2.bias[:e])
        return nn.functional.pad(out, (0, self.embed - e))


class SuperNet(nn.Module):
    """The supernet of the tabular space (see the module docstring)."""

    def __init__(self, k_frames: int) -> None:
        super().__init__()
        self.k = k_frames
        self.conv = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.GroupNorm(1, 8), nn.GELU()
        )
        self.img_proj = nn.Linear(8, 16)
        self.force = _ElasticTower(len(FORCE_CHANNELS) * k_frames, 48, 24)
        self.width = _ElasticTower(len(WIDTH_CHANNELS) * k_frames, 48, 24)
        self.analytical = _ElasticTower(len(ANALYTICAL_CHANNELS), 16, 8)
        self.geometry = _ElasticTower(len(GEOMETRY_CHANNELS), 16, 8)
        self.n_fused = 16 * k_frames + 24 + 24 + 8 + 8
        self.f1, self.f2, self.out = (
            nn.Linear(self.n_fused, 64),
            nn.Linear(64, 64),
            nn.Linear(64, 2),
        )
        self.drop = nn.Dropout(0.1)

    def forward(self, x: dict[str, Tensor], cell: dict[str, str]) -> tuple[Tensor, Tensor]:
        b = x["force"].shape[0]
        parts = []
        if cell["image"] == "off":
            parts.append(x["force"].new_zeros(b, 16 * self.k))
        else:
            imgs = x["images"]
            _, k, h, w = imgs.shape
            z = self.conv(imgs.reshape(b * k, 1, h, w)).mean(dim=(2, 3))
            parts.append(self.img_proj(z).reshape(b, -1))
        for name in ("force", "width", "analytical", "geometry"):
            tower: _ElasticTower = getattr(self, name)
            if cell[name] == "off":
                parts.append(x["force"].new_zeros(b, tower.embed))
            else:
                parts.append(tower(x[name].flatten(1), int(cell[name])))
        fused = torch.cat(parts, dim=1)
        if cell["fusion"] == "32":
            h = self.drop(nn.functional.gelu(fused @ self.f1.weight[:32].T + self.f1.bias[:32]))
            out = h @ self.out.weight[:, :32].T + self.out.bias
        else:
            h = self.drop(nn.functional.gelu(self.f1(fused)))
            h = self.drop(nn.functional.gelu(self.f2(h)))
            out = self.out(h)
        return out[:, 0], out[:, 1].clamp(-9.0, 4.0)


def _random_cell(rng: np.random.Generator) -> dict[str, str]:
    while True:
        cell = {d: str(rng.choice(CELL_CHOICES[d])) for d in DIMENSIONS}
        if any(cell[d] != "off" for d in DIMENSIONS if d != "fusion"):
            return cell


def train_supernet(
    train: PreparedDataset,
    *,
    epochs: int = 60,
    batch_size: int = 64,
    lr: float = 2e-3,
    seed: int = 0,
    n_random: int = 2,
) -> tuple[SuperNet, Normalization]:
    """Sandwich-rule training (largest + smallest + ``n_random`` random cells per step)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    k = int(train.arrays["force"].shape[-1])
    net = SuperNet(k)
    norm = Normalization.fit(train.arrays, train.log10_modulus)
    x_all = normalize(to_tensors(train.arrays), norm)
    y_all = torch.as_tensor(
        (train.log10_modulus - norm.target_mean) / norm.target_std, dtype=torch.float32
    )
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs, eta_min=lr * 0.02)
    gen = torch.Generator().manual_seed(seed)
    net.train()
    for _ in range(epochs):
        perm = torch.randperm(len(train), generator=gen)
        for start in range(0, len(perm), batch_size):
            idx = perm[start : start + batch_size]
            if len(idx) < 2:
                continue
            x = {key: v[idx] for key, v in x_all.items()}
            cells = [LARGEST, SMALLEST, *(_random_cell(rng) for _ in range(n_random))]
            losses = []
            for c in cells:
                mu, logvar = net(x, c)
                losses.append(gaussian_nll(mu, logvar, y_all[idx], 0.5))
            loss = torch.stack(losses).sum()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
        sched.step()
    net.eval()
    return net, norm


def score_cell(
    net: SuperNet, norm: Normalization, data: PreparedDataset, cell: dict[str, str]
) -> float:
    """Per-object log10 MAE of the cell's sub-network (shared weights) on ``data``."""
    from tactile.estimators.neural.metrics import object_metrics

    with torch.no_grad():
        mu, _ = net(normalize(to_tensors(data.arrays), norm), cell)
    pred = mu.numpy() * norm.target_std + norm.target_mean
    value = object_metrics(data.object_ids, data.log10_modulus, pred).get("log10_mae", math.nan)
    return float(value)


def kendall_tau(a: Any, b: Any) -> float:
    from scipy.stats import kendalltau

    return float(kendalltau(np.asarray(a), np.asarray(b)).statistic)
