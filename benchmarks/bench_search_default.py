"""`tactile search` on the default model's own training file, against the default model's own
design (issue 15; docs/search.md, "The search against the default on its own training file").

The search itself is the product command (``tactile search``; see the docs for the flags). This
script does what comes after it, by the rule in ``benchmarks/results/search27_prereg.md``:

``rescore``
    CPU latency of every complete trial and of the default (``mt-rig``), measured with
    ``tactile.search.objective.measure_latency_ms`` (one grasp, one thread, 200 passes) in
    interleaved rounds (median over rounds); the best ``--top`` trials by the search's own
    score (5-fold CV, training seed 0) among those at latency <= the default's are rescored with
    the search's objective under CV seeds 1 and 2 (the same as ``tactile train --config
    best.json --folds 5 --seed S``); **the pick = the lowest mean over CV seeds 0-2**, written
    as a recipe (``--pick-out``, the same format as ``best.json``). The default's CV under the
    same seeds is reported beside it (context, not a candidate). A study made with ``--valid``
    is rescored as it scored its trials: trained once on the whole file with training seeds
    1 and 2 (as ``tactile train`` trains its final network), scored on its validation files.
``final``
    The default (``mt-rig``, the recipe ``tactile train --model mt-rig --epochs 150`` uses: lr
    2e-3, weight decay 1e-4, dropout 0.1, batch 64, patience 30 on 15 % of the objects,
    augmentation on), the pick (``tactile train --config pick.json``) and ``--random`` designs
    drawn from the same space with Optuna's random sampler (each with its sampled lr, weight
    decay and dropout, under the search's schedule), each trained on the whole training file
    exactly as ``tactile train`` trains its final network (early stopping on
    ``split_objects(..., 0.15, seed)``), training seeds ``--seeds``; every network scored blind
    (shape, radius and object hints removed, as ``tactile.evaluation.protocol.blind_metadata``)
    on held-out simulated files, per object (median over its grasps), network mean against the
    label; constant (median training label) beside. Pick minus default paired by seed, and a
    bootstrap over the objects of the seed-averaged per-object difference.
``report``
    Markdown of a ``final`` result.

Every training and every forward pass uses one torch thread.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import gzip
import json
import math
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search_tabular import _save_json, paired_difference

#: The search's protocol (the flags of the ``tactile search`` command in the docs).
TOWERS = ("force", "width", "analytical", "geometry")
PROTOCOL = {"folds": 5, "epochs": 150, "patience": 30, "val_fraction": 0.15, "seed": 0}
STUDY = "tactile-search"


def _command() -> str:
    return "python benchmarks/" + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])


def _space(study: Any = None) -> Any:
    """The search's space: the one ``study`` was run with (its stored protocol, which lists the
    schedule settings it searched), else the product's space over ``TOWERS``."""
    from tactile.search.space import SearchSpace
    from tactile.search.study import PROTOCOL_ATTR

    stored = study.user_attrs.get(PROTOCOL_ATTR, {}).get("space") if study is not None else None
    if not stored:
        return SearchSpace(towers=TOWERS)
    return SearchSpace(**{k: tuple(v) if isinstance(v, list) else v for k, v in stored.items()})


def _settings(seed: int = 0, protocol: str = "given", valid: Any = ()) -> Any:
    from tactile.search.objective import ObjectiveSettings

    return ObjectiveSettings(
        **{**PROTOCOL, "seed": seed}, threads=1, analytical="hertz", protocol=protocol, valid=valid
    )


def _held_out_protocol(study: Any) -> str:
    """How the study scored its held-out folds ("given" unless it recorded "blind")."""
    from tactile.search.study import PROTOCOL_ATTR

    stored = study.user_attrs.get(PROTOCOL_ATTR, {}).get("settings", {})
    return str(stored.get("protocol", "given"))


def _valid_files(study: Any) -> list[str]:
    """The validation files a ``tactile search --valid`` study scored on (empty: CV)."""
    from tactile.search.study import PROTOCOL_ATTR

    stored = study.user_attrs.get(PROTOCOL_ATTR, {}).get("settings", {})
    return [str(v) for v in stored.get("valid", [])]


def _valid(cache: Any, valid: Any, recipe: Any, seed: int, protocol: str) -> float:
    """``recipe`` trained once on all of ``cache`` (training seed ``seed``, as ``tactile train``
    trains its final network) and scored per object on the validation files, as a
    ``--valid`` study scores its trials (blind if ``protocol``)."""
    from tactile.search.objective import validate_design

    data = cache.get(recipe.network)
    held = valid.get(recipe.network, blind=protocol == "blind")
    return float(validate_design(data, held, recipe, _settings(seed, protocol)).log10_mae)


def _cv(cache: Any, recipe: Any, seed: int, protocol: str) -> float:
    """One object-grouped 5-fold CV of ``recipe`` (held-out folds blind if ``protocol``)."""
    from tactile.search.objective import cross_validate_design

    data = cache.get(recipe.network)
    held = cache.get(recipe.network, blind=True) if protocol == "blind" else None
    settings = _settings(seed, protocol)
    return float(cross_validate_design(data, recipe, settings, held_out=held).log10_mae)


def _default_recipe() -> Any:
    from tactile.estimators.neural.recipe import recipe_for

    return recipe_for(None, "mt-rig")


def _load_study(run_dir: Path) -> Any:
    import optuna

    from tactile.search.storage import storage_from_url

    url = str((run_dir / "study.log").resolve())
    return optuna.load_study(study_name=STUDY, storage=storage_from_url(url))


def interleaved_latency(configs: dict[str, Any], rounds: int, repeats: int) -> dict[str, Any]:
    """Median over ``rounds`` interleaved rounds of ``measure_latency_ms`` per design."""
    from tactile.search.objective import measure_latency_ms

    times: dict[str, list[float]] = {k: [] for k in configs}
    for _ in range(rounds):
        for key, config in configs.items():
            times[key].append(measure_latency_ms(config, repeats=repeats, threads=1))
    return {
        k: {"median_ms": float(np.median(v)), "min_ms": min(v), "max_ms": max(v)}
        for k, v in times.items()
    }


def rescore(args: argparse.Namespace) -> None:
    import torch
    from optuna.trial import FixedTrial, TrialState

    from tactile.search.objective import DatasetCache
    from tactile.search.space import suggest_recipe
    from tactile.search.study import recipe_of

    torch.set_num_threads(1)
    started = time.perf_counter()
    study = _load_study(args.run)
    space = _space(study)
    protocol = _held_out_protocol(study)  # the rescore scores as the search did
    trials = sorted(
        (t for t in study.trials if t.state == TrialState.COMPLETE), key=lambda t: t.value
    )
    recipes = {t.number: suggest_recipe(FixedTrial(t.params), space) for t in trials}
    configs = {"default": _default_recipe().network}
    configs.update({f"trial{t.number}": recipes[t.number].network for t in trials})
    t0 = time.perf_counter()
    load_before = os.getloadavg()
    lat = interleaved_latency(configs, args.rounds, args.repeats)
    lat_s = time.perf_counter() - t0
    limit = lat["default"]["median_ms"]
    eligible = [t for t in trials if lat[f"trial{t.number}"]["median_ms"] <= limit]
    top = eligible[: args.top]
    print(
        f"{len(trials)} complete trials, {len(eligible)} at latency <= default "
        f"({limit:.4f} ms); rescoring {[t.number for t in top]}",
        flush=True,
    )
    cache = DatasetCache([args.data], cache_dir=args.cache_dir)
    valid_files = _valid_files(study)
    valid = DatasetCache(valid_files, cache_dir=args.cache_dir) if valid_files else None

    def rescored(recipe: Any, seed: int) -> float:  # as the study scored its trials
        if valid is not None:
            return _valid(cache, valid, recipe, seed, protocol)
        return _cv(cache, recipe, seed, protocol)

    seeds = [0, *[int(s) for s in args.seeds.split(",")]]
    rows: list[dict[str, Any]] = []
    for t in top:
        recipe = recipes[t.number]
        scores = [float(t.value)]
        for s in seeds[1:]:
            scores.append(rescored(recipe, s))
        rows.append(
            {
                "trial": t.number,
                "params": t.params,
                "n_params": t.user_attrs.get("params"),
                "cv": [round(v, 5) for v in scores],
                "cv_mean": round(float(np.mean(scores)), 5),
                "cv_sd": round(float(np.std(scores, ddof=1)), 5),
                "latency": lat[f"trial{t.number}"],
            }
        )
        print(f"trial {t.number}: {rows[-1]['cv']} mean {rows[-1]['cv_mean']:.4f}", flush=True)
    default = _default_recipe()
    dscores = [rescored(default, s) for s in seeds]
    print(f"default: {[round(v, 4) for v in dscores]}", flush=True)
    pick_row = min(rows, key=lambda r: r["cv_mean"])
    pick_trial = next(t for t in trials if t.number == pick_row["trial"])
    pick = recipe_of(pick_trial, space, _settings(0, protocol, valid_files), STUDY)
    pick.save(args.pick_out)
    values = [float(t.value) for t in trials]
    state = {
        "meta": {
            "command": _command(),
            "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
            "loadavg_before_latency": [round(v, 2) for v in load_before],
            "held_out_protocol": protocol,
            # with validation files the "cv" fields below are validation scores
            "valid": valid_files,
            "latency_rounds": args.rounds,
            "latency_repeats": args.repeats,
            "latency_s": round(lat_s, 1),
            "elapsed_s": round(time.perf_counter() - started, 1),
            "n_trials": len(study.trials),
            "n_complete": len(trials),
            "n_eligible": len(eligible),
            "complete_mean_cv": round(float(np.mean(values)), 5),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
        },
        "default": {
            "cv": [round(v, 5) for v in dscores],
            "cv_mean": round(float(np.mean(dscores)), 5),
            "cv_sd": round(float(np.std(dscores, ddof=1)), 5),
            "latency": lat["default"],
        },
        "rescored": rows,
        "pick": pick_row,
        "latency_all": {k: v["median_ms"] for k, v in lat.items()},
        "trials_cv": {f"trial{t.number}": round(float(t.value), 5) for t in trials},
    }
    _save_json(args.out, state)
    scored = "validation" if valid_files else "CV"  # the "cv" fields hold what the study scored
    print(
        f"pick: trial {pick_row['trial']} ({scored} mean {pick_row['cv_mean']:.4f}) "
        f"-> {args.pick_out}"
    )


def prepare_blind(paths: list[Path], config: Any, cache_dir: Path) -> Any:
    """Every labelled grasp of ``paths`` prepared with blind metadata (no shape, radius or
    object hints; what the estimator sees under ``--protocol blind``), cached per K."""
    from tactile.estimators.neural.data import PreparedDataset, prepare_file
    from tactile.evaluation.protocol import blind_metadata

    parts = []
    for path in paths:
        key = cache_dir / f"blind-{path.stem}-k{config.k_frames}-{config.sampling}.npz"
        if key.is_file():
            parts.append(PreparedDataset.load(key))
            continue
        part = prepare_file(path, config, None, "hertz", False, meta_of=blind_metadata)
        failed = [r for r in part.skipped if not r.endswith(": no label")]
        if failed:  # every labelled grasp scored, or none of the file
            raise SystemExit(f"{path}: grasps that could not be prepared: {failed}")
        cache_dir.mkdir(parents=True, exist_ok=True)
        part.save(key)
        parts.append(part)
    return PreparedDataset.concat(parts)


def train_final(data: Any, recipe: Any, seed: int, overrides: dict[str, Any]) -> Any:
    """The network ``tactile train`` keeps (no ensemble): early stopping on
    ``split_objects(ids, labels, 0.15, seed)``, trained on the rest."""
    from tactile.estimators.neural.data import split_objects
    from tactile.estimators.neural.recipe import train_config
    from tactile.estimators.neural.train import train_model

    cfg = train_config(recipe, {**overrides, "seed": seed}, num_threads=1)  # augment: recipe's
    tr, va = split_objects(data.object_ids, data.log10_modulus, 0.15, seed=cfg.seed)
    return train_model(data.subset(tr), data.subset(va), recipe.network, cfg, progress=False).loaded


def random_designs(n: int, sampler_seed: int, space: Any = None) -> list[tuple[int, Any]]:
    """The first ``n`` feasible designs (with their lr, weight decay, dropout) of Optuna's random
    sampler over the search's space; schedule = the search's protocol."""
    import optuna

    from tactile.estimators.neural.recipe import TrainingRecipe
    from tactile.search.space import InfeasibleDesignError, suggest_recipe

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=sampler_seed))
    out: list[tuple[int, Any]] = []
    while len(out) < n:
        trial = study.ask()
        try:
            r = suggest_recipe(trial, space or _space(), name=f"random-{trial.number}")
        except InfeasibleDesignError:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            continue
        study.tell(trial, 0.0)
        out.append((trial.number, TrainingRecipe(r.network, _settings(0).train_settings(r.train))))
    return out


def final(args: argparse.Namespace) -> None:
    import torch

    from tactile.estimators.neural.predict import predict_log10
    from tactile.estimators.neural.recipe import load_recipe
    from tactile.search.objective import DatasetCache, measure_latency_ms, require_simulated

    torch.set_num_threads(1)
    started = time.perf_counter()
    require_simulated([args.data, *args.test])
    out_path = Path(args.out)
    seeds = [int(s) for s in args.seeds.split(",")]
    rseeds = [int(s) for s in args.random_seeds.split(",")]
    # what the stored predictions of an earlier (interrupted) run were made for: they are
    # reused only for the same training file, pick, test files, seeds and random designs
    inputs = {
        "data": str(Path(args.data).resolve()),
        "pick": Path(args.pick).read_text(),
        "test": [str(Path(t).resolve()) for t in args.test],
        "seeds": seeds,
        "random": [args.random, rseeds, args.random_sampler_seed],
    }
    space = None
    if args.run is not None:  # random designs from the space that search was run with
        space = _space(_load_study(args.run))
        inputs["run"] = str(Path(args.run).resolve())
    prev = json.loads(out_path.read_text()) if out_path.is_file() else {}
    if prev and prev.get("inputs") != inputs:
        print(f"{out_path}: made for other inputs (or by an older run); not reused", flush=True)
        prev = {}
    cache = DatasetCache([args.data], cache_dir=args.cache_dir)
    designs: dict[str, tuple[Any, dict[str, Any], list[int]]] = {
        # tactile train sim_train.h5 --model mt-rig --epochs 150 --seed S (the card's recipe)
        "default": (_default_recipe(), {"epochs": 150}, seeds),
        # tactile train sim_train.h5 --config pick.json --seed S
        "pick": (load_recipe(args.pick), {}, seeds),
    }
    for number, recipe in random_designs(args.random, args.random_sampler_seed, space):
        designs[f"random_{number}"] = (recipe, {}, rseeds)
    preds: dict[str, list[list[float]]] = prev.get("preds", {})
    info: dict[str, Any] = prev.get("designs", {})
    tests: dict[int, Any] = {}
    ids = labels = None
    for name, (recipe, overrides, ds) in designs.items():
        k = recipe.network.k_frames
        if k not in tests:
            tests[k] = prepare_blind(list(args.test), recipe.network, args.test_cache_dir)
        test = tests[k]
        if ids is None:
            ids, labels = test.object_ids, test.log10_modulus
        if not (np.array_equal(test.object_ids, ids) and np.allclose(test.log10_modulus, labels)):
            raise SystemExit("blind test sets differ in their grasps between K")
        if name in preds and len(preds[name]) >= len(ds):
            continue
        data = cache.get(recipe.network)
        t0, rows = time.perf_counter(), []
        for seed in ds:
            loaded = train_final(data, recipe, seed, overrides)
            rows.append([round(float(v), 5) for v in predict_log10(loaded, test.arrays)[0]])
        preds[name] = rows
        info[name] = {
            "network": recipe.network.to_dict(),
            "train": {**recipe.train, **overrides},
            "latency_ms_single": round(measure_latency_ms(recipe.network, repeats=200), 4),
            "train_s": round(time.perf_counter() - t0, 1),
            "seeds": ds,
        }
        print(f"{name}: {info[name]['train_s']:.0f} s", flush=True)
        _save_json(out_path, {"inputs": inputs, "designs": info, "preds": preds})
    train_labels = cache.get(designs["default"][0].network).log10_modulus
    assert ids is not None and labels is not None
    out = {
        "meta": {
            "command": _command(),
            "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
            "loadavg_end": [round(v, 2) for v in os.getloadavg()],
            "data": str(args.data),
            "test": [str(p) for p in args.test],
            "pick": str(args.pick),
            "seeds": seeds,
            "random": args.random,
            "random_seeds": rseeds,
            "random_sampler_seed": args.random_sampler_seed,
            "resamples": args.resamples,
            "groups": _groups(args.group),
            "constant": {"log10_pa": round(float(np.median(train_labels)), 5)},
            "elapsed_s": round(time.perf_counter() - started, 1),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
        },
        "inputs": inputs,
        "designs": info,
        "test_object_ids": [str(o) for o in ids],
        "test_log10_modulus": [float(v) for v in labels],
        "preds": preds,
    }
    score(out)
    _save_json(out_path, out)
    print(markdown(out))


def score(out: dict[str, Any]) -> None:
    """Per-object errors, pick minus default (paired by seed, object bootstrap), the random
    designs' average, per test file and pooled (in place)."""
    from tactile.estimators.neural.metrics import per_object

    meta = out["meta"]
    ids = np.asarray(out["test_object_ids"])
    labels = np.asarray(out["test_log10_modulus"], dtype=float)
    files = sorted({i.split("/", 1)[0] for i in ids})
    # named groups of test files (``--group new=test2710,test2711``), scored like a file
    groups_of: dict[str, list[str]] = dict(meta.get("groups") or {})
    results: dict[str, Any] = {}
    for part in ["all", *groups_of, *files]:
        if part == "all":
            mask = np.ones(len(ids), bool)
        elif part in groups_of:
            mask = np.zeros(len(ids), bool)
            for stem in groups_of[part]:
                mask |= np.char.startswith(ids, stem + "/")
            if not mask.any():
                raise SystemExit(f"group {part!r}: no test object from files {groups_of[part]}")
        else:
            mask = np.char.startswith(ids, part + "/")
        pid, plab = ids[mask], labels[mask]
        objs, lab, _ = per_object(pid, plab, np.zeros(len(pid)))
        const_err = np.abs(meta["constant"]["log10_pa"] - lab)
        err = {
            n: np.array([np.abs(per_object(pid, plab, np.asarray(p)[mask])[2] - lab) for p in ps])
            for n, ps in out["preds"].items()
        }
        res: dict[str, Any] = {
            "n_objects": len(objs),
            "constant": {
                "log10_mae": round(float(const_err.mean()), 5),
                "within_1_decade": round(float(np.mean(const_err <= 1)), 4),
            },
        }
        for n, e in err.items():
            res[n] = {
                "log10_mae": [round(float(v), 5) for v in e.mean(axis=1)],
                "mean": round(float(e.mean()), 5),
                "sd_over_seeds": round(float(e.mean(axis=1).std(ddof=1)), 5) if len(e) > 1 else 0,
                "within_1_decade": round(float(np.mean(e <= 1)), 4),
            }
        if "pick" in err and "default" in err:
            res["pick_minus_default"] = paired_difference(
                err["pick"], err["default"], meta["resamples"]
            )
        # ensembles as shipped: `tactile train --seed S --ensemble 5` = members S..S+4 (their
        # network means averaged), for S = 0, 5, 10, ... (disjoint groups of the seeds run);
        # search27's optional check (S = 0, 5), the ensemble test's rule (S = 0, 5, ..., 35)
        ens_err: dict[str, np.ndarray] = {}
        seeds = meta["seeds"]
        groups = len(seeds) // 5
        if groups >= 2 and seeds == list(range(5 * groups)):
            for n in ("default", "pick"):
                if n in out["preds"]:
                    p = np.asarray(out["preds"][n], dtype=float)[:, mask]
                    ens_err[n] = np.array(
                        [
                            np.abs(
                                per_object(pid, plab, p[5 * g : 5 * g + 5].mean(axis=0))[2] - lab
                            )
                            for g in range(groups)
                        ]
                    )
        if ens_err:
            res["ensembles_of_5"] = {
                n: [round(float(v), 5) for v in e.mean(axis=1)] for n, e in ens_err.items()
            }
            if "pick" in ens_err and "default" in ens_err:
                res["ensembles_of_5_pick_minus_default"] = paired_difference(
                    ens_err["pick"], ens_err["default"], meta["resamples"]
                )
        rand = [n for n in err if n.startswith("random_")]
        if len(rand) > 1:
            per_design = np.array([err[n].mean() for n in rand])
            avg = float(per_design.mean())
            se = float(per_design.std(ddof=1) / math.sqrt(len(rand)))
            res["random"] = {
                "average": round(avg, 5),
                "se_over_designs": round(se, 5),
                "sd_over_designs": round(float(per_design.std(ddof=1)), 5),
                "best": round(float(per_design.min()), 5),
                "n_designs": len(rand),
            }
            for n in ("pick", "default"):
                if n in err:
                    res[f"{n}_minus_random"] = round(float(err[n].mean()) - avg, 5)
        results[part] = res
    out["results"] = results


def markdown(out: dict[str, Any]) -> str:
    lines = []
    for part, res in out["results"].items():
        lines += [
            f"### {part} ({res['n_objects']} objects)",
            "",
            "| design | log10 MAE (mean ± sd over seeds) | within a decade |",
            "|---|---|---|",
            f"| constant | {res['constant']['log10_mae']:.3f} | "
            f"{100 * res['constant']['within_1_decade']:.0f} % |",
        ]
        if "random" in res:
            r = res["random"]
            lines.append(
                f"| random designs ({r['n_designs']}) | {r['average']:.3f} ± "
                f"{r['se_over_designs']:.3f} (SE over designs; best {r['best']:.3f}) | |"
            )
        for n in ("default", "pick"):
            if n in res:
                lines.append(
                    f"| {n} | {res[n]['mean']:.3f} ± {res[n]['sd_over_seeds']:.3f} | "
                    f"{100 * res[n]['within_1_decade']:.0f} % |"
                )
        if "pick_minus_default" in res:
            d = res["pick_minus_default"]
            lines.append(
                f"\npick − default: {d['paired_mean']:+.3f} ± {d['paired_se']:.3f} (SE over "
                f"seeds; better in {d['seeds_better']} of {len(out['meta']['seeds'])}), "
                f"bootstrap 95 % [{d['bootstrap_95'][0]:+.3f}, {d['bootstrap_95'][1]:+.3f}], "
                f"share >= 0: {d['bootstrap_share_ge_0']}; objects better/worse "
                f"{d['objects_better']}/{d['objects_worse']}"
            )
        if "ensembles_of_5" in res:
            lines.append(f"ensembles of 5 (seeds 0-4, 5-9, ...): {res['ensembles_of_5']}")
        if "ensembles_of_5_pick_minus_default" in res:
            d = res["ensembles_of_5_pick_minus_default"]
            lines.append(
                f"ensembles of 5, pick − default: {d['paired_mean']:+.3f} ± {d['paired_se']:.3f} "
                f"(SE over ensembles; better in {d['seeds_better']} of "
                f"{len(res['ensembles_of_5']['pick'])}), bootstrap 95 % "
                f"[{d['bootstrap_95'][0]:+.3f}, {d['bootstrap_95'][1]:+.3f}], share >= 0: "
                f"{d['bootstrap_share_ge_0']}; objects better/worse "
                f"{d['objects_better']}/{d['objects_worse']}"
            )
        for n in ("pick", "default"):
            if f"{n}_minus_random" in res:
                lines.append(f"{n} − random average: {res[f'{n}_minus_random']:+.3f}")
        lines.append("")
    return "\n".join(lines)


def _groups(specs: list[str] | None) -> dict[str, list[str]]:
    """``NAME=stem1,stem2`` -> {NAME: [stem1, stem2]} (test files by their stem)."""
    out: dict[str, list[str]] = {}
    for spec in specs or []:
        name, _, stems = spec.partition("=")
        if not name or not stems:
            raise SystemExit(f"--group {spec!r}: write NAME=file_stem,file_stem")
        out[name] = [s for s in stems.split(",") if s]
    return out


def report(args: argparse.Namespace) -> None:
    """Markdown of a ``final`` result, scored again by this script's ``score`` (the stored
    predictions are the data; the figures follow the current scoring)."""
    path = Path(args.result)
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    out = json.loads(raw)
    if args.group:
        out["meta"]["groups"] = _groups(args.group)
    score(out)
    print(markdown(out))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rescore", help="latency filter, CV seeds 1-2 of the top trials, pick")
    r.add_argument("run", type=Path, help="the tactile search --out folder (study.log)")
    r.add_argument("data", type=Path, help="the search's training file")
    r.add_argument("--cache-dir", type=Path, default=None)
    r.add_argument("--top", type=int, default=8)
    r.add_argument("--seeds", default="1,2", help="extra CV seeds (seed 0 = the search)")
    r.add_argument("--rounds", type=int, default=7)
    r.add_argument("--repeats", type=int, default=200)
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--pick-out", type=Path, required=True)
    r.set_defaults(func=rescore)
    f = sub.add_parser("final", help="default, pick and random designs on held-out files")
    f.add_argument("data", type=Path)
    f.add_argument("--pick", type=Path, required=True)
    f.add_argument("--test", type=Path, nargs="+", required=True)
    f.add_argument("--cache-dir", type=Path, default=None)
    f.add_argument("--test-cache-dir", type=Path, required=True)
    f.add_argument("--seeds", default="0,1,2,3,4,5,6,7,8,9")
    f.add_argument("--random", type=int, default=16)
    f.add_argument("--random-seeds", default="0,1,2")
    f.add_argument("--random-sampler-seed", type=int, default=2727)
    f.add_argument(
        "--run",
        type=Path,
        default=None,
        help="draw the random designs from this search's space (default: the product's space "
        "over TOWERS, schedule fixed)",
    )
    f.add_argument("--resamples", type=int, default=10_000)
    f.add_argument("--out", type=Path, required=True)
    f.add_argument(
        "--group", action="append", help="NAME=stem1,stem2: also score these test files together"
    )
    f.set_defaults(func=final)
    m = sub.add_parser("report", help="markdown of a final result")
    m.add_argument("result", type=Path, help="a final result (.json, or .json.gz as stored)")
    m.add_argument("--group", action="append", help="NAME=stem1,stem2 (as final's)")
    m.set_defaults(func=report)
    args = p.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
