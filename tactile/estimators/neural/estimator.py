"""The ``neural`` and ``hybrid`` estimators: a trained multi-tower checkpoint behind the
:class:`~tactile.estimators.base.Estimator` interface.

- ``neural``: the network's Gaussian in log10 E, widened on real grasps by the checkpoint's
  sim-to-real term and by the out-of-distribution score (:mod:`.ood`; refused beyond it); a
  one-sided lower bound from the rig's physics (:mod:`.limits`) when the estimate is above the
  grasp's resolvable limit (from the rig calibration, the force and the contact).
- ``hybrid``: the network and the analytical ``auto`` estimate combined by their uncertainties
  (a precision-weighted two-component mixture, so disagreement widens the interval), the network
  dropped when it is out of its training distribution (the physics alone answers, with the
  reason in ``details``), as it is when the calibration's measured gel is unlike the training
  rigs' gels (:mod:`.envelope`; ``neural`` refuses then); the same physics limits, except
  that the network alone does not make an object "stiffer than the gel" when the physics
  resolves it below the limit (a two-sided analytical estimate whose calibrated upper 95 % end
  is below the resolvable limit): the physics answers then, its 95 % interval reaching up to
  the network's mean
  (``details["network_physics_disagree"]``; docs/network.md, "Hybrid"). With the geometry
  given, the physics' two-sided point gives way to ``blind``'s answer on the same grasp where
  the network's mean is at least 1.5 dex above the grasp's resolvable limit
  (``check_given_points="network"``, the default since given39: rigid objects on rigs stiffer
  than calibrated were answered with soft points).

Both refuse a grasp whose camera shows no contact while the force rose (frozen camera, unloaded
gel), like the analytical estimators.

Models are named: ``"default"`` is ``models/default/model.pt`` of the repository (or of
``$TACTILE_MODELS_DIR``); a path to a ``.pt`` file or a folder holding ``model.pt`` works too.
A model may be an ensemble over training seeds (``tactile train --ensemble K``; members listed
in ``model.pt``, see :mod:`.checkpoint`): the network's Gaussian is then the members' combined
in log10 space (mean of the means; variance = mean of the variances + variance of the means),
before the sim-to-real term, the OOD widening and the physics limits, which are unchanged.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from tactile._paths import artifact_dir
from tactile.errors import EstimatorError, ModelFileError, NoContactError, TactileError
from tactile.estimators.auto import (
    blind_in_place_of_given_point,
    check_point_option,
    point_checked_by_blind,
)
from tactile.estimators.base import resolve_calibration
from tactile.estimators.blind import BlindEstimator
from tactile.estimators.elastic import pad_area_mm2
from tactile.estimators.loading import flat_face_possible
from tactile.estimators.neural.checkpoint import LoadedModel, load_checkpoint
from tactile.estimators.neural.config import grasp_input_shapes
from tactile.estimators.neural.data import prepare_grasp, prepare_stored
from tactile.estimators.neural.envelope import (
    ENVELOPE_HINT,
    ENVELOPE_PHYSICS_FAILED_HINT,
    CalibrationEnvelope,
)
from tactile.estimators.neural.inputs import GraspInputs
from tactile.estimators.neural.limits import PhysicsLimits, physics_limits
from tactile.estimators.neural.ood import REFUSE_SCORE, OodReference, widen_factor
from tactile.estimators.neural.predict import (
    Z68,
    Z95,
    Z95_ONE_SIDED,
    combine_members,
    member_predictions,
)
from tactile.estimators.neural.rig import has_rig
from tactile.processing.contact import contact_seen, require_visible_contact
from tactile.sensor import SensorCalibration
from tactile.types import (
    Flag,
    Grasp,
    GraspFeatures,
    GraspMetadata,
    ModulusEstimate,
    bound_flag,
    with_force_zero,
)

if TYPE_CHECKING:
    from tactile.io import GraspReader

_CACHE: dict[Path, LoadedModel] = {}


def models_dir() -> Path:
    """Where named models live: ``$TACTILE_MODELS_DIR`` or ``models/`` beside the package."""
    return artifact_dir("models", "TACTILE_MODELS_DIR")


#: the models shipped with tactile (folders of ``models/`` beside the package, versioned with it):
#: ``tactile train`` never writes into them (train elsewhere; see docs/search.md)
SHIPPED_MODELS: tuple[str, ...] = ("default",)


def shipped_model_at(folder: str | Path) -> str | None:
    """The name of the shipped model whose folder ``folder`` is (None: not a shipped one)."""
    target = Path(folder).resolve()
    for name in SHIPPED_MODELS:
        if (artifact_dir("models") / name).resolve() == target:
            return name
    return None


def model_path(name_or_path: str | Path) -> Path:
    """The checkpoint file of a model name, folder or file."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    if path.is_dir():
        return path / "model.pt"
    named = models_dir() / str(name_or_path) / "model.pt"
    if named.is_file():
        return named
    known = sorted(p.parent.name for p in models_dir().glob("*/model.pt"))
    raise ModelFileError(
        f"no model {str(name_or_path)!r} (not a file, and not in {models_dir()})",
        hint=f"use one of {known} or train one with `tactile train DATA --out models/NAME`",
    )


def resolve_model(name_or_path: str | Path, *, reload: bool = False) -> LoadedModel:
    """Load (once per process) a model by name or path, ready to answer: its networks have run
    once (:func:`warm_up`)."""
    path = model_path(name_or_path).resolve()
    if reload or path not in _CACHE:
        loaded = load_checkpoint(path)
        warm_up(loaded)
        _CACHE[path] = loaded
    return _CACHE[path]


def warm_up(loaded: LoadedModel) -> None:
    """Run each network of ``loaded`` once on a zero input of one grasp's shape, the output
    discarded: torch's first call in a process (operator set-up, first allocations, the
    normalisation's cached tensors) costs ~2-3 ms per model that belongs to loading it, not to
    the first grasp estimated. Inference mode, eval networks: nothing in the model changes."""
    shapes = grasp_input_shapes(loaded.config)
    member_predictions(loaded, {key: np.zeros(shape, np.float32) for key, shape in shapes.items()})


#: Smallest contact area (mm²) at any measured loading frame for the camera to show contact.
MIN_VISIBLE_AREA_MM2 = 0.5
#: Floor of the analytical estimate's log10 sigma in the hybrid (its interval describes the fit,
#: not the model's error on real objects).
MIN_ANALYTICAL_SIGMA = 0.3
#: ``HybridEstimator(check_given_points="network")`` (the default since given39): the
#: given-geometry point gives way to blind's answer where the network's mean is at least this far
#: (log10) above the grasp's resolvable limit
NETWORK_CHECK_MARGIN_DEX = 1.5
#: how far (log10) outside its training labels' range (``info["label_range_log10"]``, recorded
#: by ``tactile train`` since newuser42) a network's mean may fall before the answer is treated
#: as out of distribution: beyond it the network extrapolates past every modulus it learned
LABEL_RANGE_MARGIN_DEX = 1.0


@dataclass(frozen=True)
class NetworkAnswer:
    """The network's log10-space Gaussian for one grasp, before the limits."""

    mu: float
    sigma: float
    ood_score: float
    sim_to_real_sd: float
    n_members: int = 1  # networks in the ensemble (1: a single model)
    member_spread: float = 0.0  # standard deviation of the members' means (log10)
    #: why the score is infinite: the grasp misses an input no training grasp missed (e.g. the
    #: rig channels of a calibration without a rigid-press curve); None otherwise
    ood_reason: str | None = None
    #: why the mean is far outside the training labels' range; None: inside, or not recorded
    outside_labels: str | None = None


def missing_input_hint(calibration: SensorCalibration | None) -> str:
    """How to give the network the inputs an out-of-distribution refusal names missing: the
    rig inputs come from the calibration's rigid-press curve of a ball (review20: name the
    calibration in use, and the grasp file's own calibration first)."""
    cid = calibration.calibration_id if calibration is not None else "CALIBRATION"
    return (
        f"the calibration in use is {cid!r}; estimate with the grasp file's own calibration if it "
        "has a rigid-press curve (drop --calibration: the reference import's "
        "wedge-reference-v4 has one), or fit one from presses of a rigid ball, `tactile calibrate "
        f"rig PRESSES --rigid-size-mm D --calibration {cid} --id NEW`, and pass --calibration "
        "NEW; --estimator hybrid or auto answer with the physics"
    )


def check_visible_contact(feats: GraspFeatures, meta: GraspMetadata | None = None) -> None:
    """Refuse a grasp whose force rose but whose camera shows no contact: its image did not
    change beyond its noise (:func:`~tactile.processing.contact.require_visible_contact`, the
    check every estimator makes), or no contact area at any measured loading frame (a frozen or
    disconnected camera, an unloaded gel). ``meta`` says whether the object may be a flat face
    over the pad (whose press shows no change; without ``meta``: not)."""
    flat = meta is not None and flat_face_possible(meta)
    require_visible_contact(feats, flat_face_possible=flat)
    c, p = feats.contact_index, feats.peak_index
    area = np.asarray(feats.contact_area_mm2[c : p + 1], dtype=np.float64)
    seen = area[np.isfinite(area)]
    if seen.size == 0 or float(seen.max()) <= MIN_VISIBLE_AREA_MM2:
        peak = float(np.nanmax(np.asarray(feats.force_n[c : p + 1], dtype=np.float64)))
        raise NoContactError(
            f"grasp {feats.grasp_id!r}: the force rose to {peak:.1f} N but the camera shows no "
            "contact at any measured loading frame (a frozen or disconnected camera, or a gel "
            "that was not pressed)",
            hint="check the camera stream and that the reference frame is unloaded; the "
            "analytical estimators refuse this grasp for the same reason",
        )


#: not auto: it refuses --model, and without one uses the default network (review55)
LABEL_RANGE_HINT = (
    "use --estimator hybrid with the same --model (it answers with the physics here) or a "
    "physics estimator (--estimator hertz or mdr), or retrain with labelled objects covering "
    "this stiffness"
)


def label_range_reason(info: dict[str, object], log10_mean: float) -> str | None:
    """Why a network's mean is far outside the moduli it was trained on (more than
    :data:`LABEL_RANGE_MARGIN_DEX` beyond ``info["label_range_log10"]``); None when it is not,
    or when the model records no range (models trained before newuser42, e.g. the default)."""
    span = info.get("label_range_log10")
    if not (isinstance(span, list | tuple) and len(span) == 2):
        return None
    lo, hi = float(span[0]), float(span[1])
    if lo - LABEL_RANGE_MARGIN_DEX <= log10_mean <= hi + LABEL_RANGE_MARGIN_DEX:
        return None
    return (
        f"it answers {10**log10_mean:.3g} Pa, more than {LABEL_RANGE_MARGIN_DEX:g} decade "
        f"outside the moduli it was trained on ({10**lo:.3g} - {10**hi:.3g} Pa)"
    )


def refuse_partial_model(loaded: LoadedModel, flag: str = "--model") -> None:
    """Refuse a model file that is a part of a model: an interrupted run's training state
    (``last.pt``) or an ensemble member. Neither carries the out-of-distribution statistics
    (nor the limits) of the model it belongs to, so no grasp could be flagged as unlike the
    training grasps (newuser42: a last.pt answered 8.9 Pa unflagged for a 50 kPa ball).
    ``flag``: the option that named it (``--finetune`` refuses the same files, review55)."""
    path = loaded.path
    folder = path.parent if path is not None else Path("OUT")
    if loaded.train_state is not None and loaded.train_state.get("finished"):
        raise ModelFileError(
            f"{path} is the training state of a finished `tactile train` run, not a model: "
            "it has no out-of-distribution statistics, so its answers could not be checked "
            "against the grasps it learned from",
            hint=f"use {flag} {folder} (its model.pt is the run's model)",
        )
    if loaded.train_state is not None:
        raise ModelFileError(
            f"{path} is a training state (the last.pt of a `tactile train` run that did not "
            "finish), not a model: it has no out-of-distribution statistics, so its answers "
            "could not be checked against the grasps it learned from",
            hint=f"finish the run: the same `tactile train DATA --out {folder} ...` with "
            f"--resume, then use {flag} {folder}",
        )
    if "ensemble_member" in loaded.info:
        raise ModelFileError(
            f"{path} is an ensemble member, not a model: the out-of-distribution statistics "
            "and limits are in the folder's model.pt",
            hint=f"use {flag} {folder} (model.pt combines its members)",
        )


class NeuralEstimator:
    """Estimate E with a trained multi-tower network (see the module docstring)."""

    name = "neural"
    analytical_name: str | None = None

    def __init__(
        self,
        model: str | Path | LoadedModel = "default",
        *,
        analytical: str | None = "hertz",
        num_threads: int | None = None,
        finger_stiffness_n_per_mm: float | None = None,
    ) -> None:
        self.loaded = model if isinstance(model, LoadedModel) else resolve_model(model)
        self.finger_stiffness_n_per_mm = finger_stiffness_n_per_mm
        needs_analytical = self.loaded.config.analytical.enabled
        self.analytical = analytical if needs_analytical else self.analytical_name
        self.ood = OodReference.from_dict(self.loaded.info.get("ood"))
        if self.ood is None:
            refuse_partial_model(self.loaded)
        #: the gels of the training rigs (stored at training, else derived; :mod:`.envelope`)
        self.envelope = CalibrationEnvelope.of_info(
            self.loaded.info, where=f"model {self.loaded.path or '(in memory)'}"
        )
        if num_threads is not None:
            import torch

            torch.set_num_threads(num_threads)

    @property
    def stiff_limit_pa(self) -> float | None:
        """A fixed limit stored by an older training run (None: limits from physics)."""
        value = self.loaded.info.get("stiff_limit_pa")
        return float(value) if isinstance(value, int | float) and value > 0 else None

    @property
    def lower_bound_z(self) -> float:
        value = self.loaded.info.get("lower_bound_z")
        return float(value) if isinstance(value, int | float) else Z95_ONE_SIDED

    @property
    def sim_to_real_sd(self) -> float:
        value = self.loaded.info.get("sim_to_real_log10_sd")
        return float(value) if isinstance(value, int | float) and value > 0 else 0.0

    def estimate(
        self,
        grasp: Grasp,
        features: GraspFeatures | None = None,
        calibration: SensorCalibration | str | None = None,
    ) -> ModulusEstimate:
        cal = resolve_calibration(grasp.meta, calibration)
        inputs, feats, analytical = prepare_grasp(
            grasp,
            self.loaded.config,
            calibration=cal,
            analytical=self.analytical,
            features=features,
            finger_stiffness_n_per_mm=self.finger_stiffness_n_per_mm,
        )
        return with_force_zero(self._predict(inputs, feats, analytical, grasp.meta, cal), feats)

    def estimate_stored(
        self,
        reader: GraspReader,
        grasp_id: str,
        calibration: SensorCalibration | str | None = None,
        meta: GraspMetadata | None = None,
    ) -> ModulusEstimate:
        """Estimate a grasp in a store, decoding only the frames the inputs need
        (:func:`~tactile.estimators.neural.data.prepare_stored`; the way the model was trained).
        ``meta`` replaces the stored metadata (e.g. completed from a label table)."""
        # the grasp's file stays open for its reads (signals, then frames), as estimate_stored
        # in tactile.evaluation.runner keeps it for the analytical estimators
        with reader.holding(grasp_id):
            # a given ``meta`` replaces the stored metadata: that is not parsed a second time
            signals = reader.read_signals(grasp_id, meta=meta)
            use_meta = signals.meta
            cal = resolve_calibration(use_meta, calibration)
            inputs, feats, analytical, used = prepare_stored(
                reader,
                grasp_id,
                self.loaded.config,
                calibration=cal,
                meta=meta,
                analytical=self.analytical,
                finger_stiffness_n_per_mm=self.finger_stiffness_n_per_mm,
                signals=signals,
            )
        return with_force_zero(self._predict(inputs, feats, analytical, used, cal), feats)

    def network_answer(self, inputs: GraspInputs, meta: GraspMetadata) -> NetworkAnswer:
        """The network's Gaussian with the sim-to-real term (real grasps) and the OOD score."""
        arrays = {k: v[None] for k, v in inputs.arrays().items()}
        mus, sigmas = member_predictions(self.loaded, arrays)
        mu, sigma = combine_members(mus, sigmas) if len(mus) > 1 else (mus[0], sigmas[0])
        s2r = self.sim_to_real_sd if meta.source != "sim" else 0.0
        score, reason = 0.0, None
        if self.ood is not None:
            scores, reasons = self.ood.scores_and_reasons(arrays)
            score, reason = float(scores[0]), reasons[0]
        total = math.hypot(float(sigma[0]), s2r) * widen_factor(score)
        spread = float(mus[:, 0].std())
        outside = label_range_reason(self.loaded.info, float(mu[0]))
        return NetworkAnswer(float(mu[0]), total, score, s2r, len(mus), spread, reason, outside)

    def _combine(
        self, net: NetworkAnswer, analytical: ModulusEstimate | None
    ) -> tuple[float, float, dict[str, object]]:
        if net.ood_score > REFUSE_SCORE:
            raise EstimatorError(
                f"the grasp is out of the network's training distribution (score "
                f"{net.ood_score:.1f} > {REFUSE_SCORE}: its force, contact, closure or rig "
                "calibration are unlike any simulated grasp it learned from)",
                hint="use --estimator hybrid or auto (physics), or retrain with a simulated "
                "rig like this one",
            )
        return net.mu, net.sigma, {}

    def _predict(
        self,
        inputs: GraspInputs,
        feats: GraspFeatures,
        analytical: ModulusEstimate | None,
        meta: GraspMetadata,
        calibration: SensorCalibration,
        net: NetworkAnswer | None = None,
    ) -> ModulusEstimate:
        """The estimate from the prepared inputs; ``net``: the network's answer on these
        inputs when the caller has it already (the hybrid's gate), else computed here."""
        check_visible_contact(feats, meta)
        if net is None:
            net = self.network_answer(inputs, meta)
        if net.ood_reason is not None:
            raise EstimatorError(
                f"the grasp is out of the network's training distribution: {net.ood_reason}",
                hint=missing_input_hint(calibration),
            )
        outside = self.envelope.reason(calibration)
        if outside is not None:
            raise EstimatorError(
                f"the grasp is out of the network's training distribution: {outside}",
                hint=ENVELOPE_HINT,
            )
        if net.outside_labels is not None:
            raise EstimatorError(
                f"the network's answer is out of its training distribution: {net.outside_labels}",
                hint=LABEL_RANGE_HINT,
            )
        mu, sigma, extra = self._combine(net, analytical)
        rig = calibration if has_rig(calibration) else None
        seen = contact_seen(feats)
        limits, e_res = self._limits(inputs, calibration, seen)
        details: dict[str, object] = {
            "log10_mean": mu,
            "log10_sigma": sigma,
            "network_log10_mean": net.mu,
            "network_log10_sigma": net.sigma,
            "ood_score": net.ood_score,
            "sim_to_real_log10_sd": net.sim_to_real_sd,
            "rig_calibration": calibration.calibration_id if rig is not None else None,
            **limits.details(),
            **extra,
            # the calibration the answer was judged against, as the analytical estimators
            # name it: scoring a bound needs the gel (review26 F2; docs/evaluation.md)
            "calibration_id": calibration.calibration_id,
            "gel_modulus_pa": calibration.gel_modulus_pa,
        }
        if net.n_members > 1:  # a single model's details stay as they were
            details["ensemble_members"] = net.n_members
            details["ensemble_spread_log10"] = net.member_spread
        if analytical is not None:
            details["analytical_modulus_pa"] = float(analytical.modulus_pa)
            if "given_point_pa" in analytical.details:
                # the given geometry's point gave way to blind's answer: say so in the answer
                # (review29 M3: a --json user could not tell the given shape was set aside)
                details["given_point_pa"] = analytical.details["given_point_pa"]
                details["given_point_checked_by"] = analytical.details.get(
                    "given_point_checked_by", "blind"
                )
        flags = set(feats.flags)
        if not seen:
            flags.add(Flag.CONTACT_NOT_SEEN)
        bound = limits.lower_bound_pa
        statistical = 10 ** (mu - max(self.lower_bound_z, Z95_ONE_SIDED) * sigma)
        # only a lower bound is physical when the estimate is beyond what this grasp resolves
        # and the closure did not resolve the object's own deformation either (a closure well
        # beyond the rig's rigid press is a measured deformation: then the number stands)
        stiff = mu >= math.log10(e_res) and (rig is None or limits.unresolved)
        hi95_pa = 10 ** (mu + Z95 * sigma)
        if stiff and (resolved := self._physics_resolves(net, analytical, e_res)) is not None:
            # the physics measured a deformation that puts the object below the limit: the
            # network alone does not make it "stiffer than the gel" (hybrid only)
            stiff = False
            mu, sigma, hi95_pa, more = resolved
            details.update(more, log10_mean=mu, log10_sigma=sigma)
        if not stiff and self._below_physics_bound(analytical, mu):
            # the blind physics proved "stiffer than the gel" with a bound built to hold for
            # any shape and material; a network answer below it contradicts that claim
            stiff = True
            details["network_below_physics_bound"] = True
        if stiff:
            lb = bound if bound is not None else min(statistical, e_res)
            details["lower_bound_from"] = "physics" if bound is not None else "network"
            # the blind physics (the hybrid's analytical estimate of a grasp with no geometry
            # given) may bound the object too: both bounds are built to hold for any shape and
            # material, so the larger one does (blind's reads the whole loading curve; the
            # limits' bound, kept in details["physics_lower_bound_pa"], only the peak, with a
            # safety factor of 2). A given-geometry bound assumes the stated shape and a linear
            # material (on simulated foams it can lie): it is not used here.
            if blind_bound(analytical) > lb:
                lb = blind_bound(analytical)
                details["lower_bound_from"] = "analytical (blind)"
            return ModulusEstimate(
                modulus_pa=lb,
                interval_68_pa=(lb, math.inf),
                interval_95_pa=(lb, math.inf),
                estimator=self.name,
                flags=frozenset(flags | {bound_flag(lb, calibration.gel_modulus_pa)}),
                lower_bound_only=True,
                details=details,
            )
        return ModulusEstimate(
            modulus_pa=10**mu,
            interval_68_pa=(10 ** (mu - Z68 * sigma), 10 ** (mu + Z68 * sigma)),
            interval_95_pa=(10 ** (mu - Z95 * sigma), hi95_pa),
            estimator=self.name,
            flags=frozenset(flags),
            details=details,
        )

    @staticmethod
    def _physics_limits(
        inputs: GraspInputs, calibration: SensorCalibration, seen: bool
    ) -> PhysicsLimits:
        """The grasp's physics limits (:func:`_grasp_limits`, with the rig when the calibration
        has one; a pad-sized contact when the camera did not see it): what every answer names
        in ``details``, the network's and the hybrid's physics fallback alike."""
        rig = calibration if has_rig(calibration) else None
        return _grasp_limits(inputs, rig, None if seen else pad_area_mm2(calibration))

    def _limits(
        self, inputs: GraspInputs, calibration: SensorCalibration, seen: bool
    ) -> tuple[PhysicsLimits, float]:
        """:meth:`_physics_limits` and the resolvable limit ``E_res`` in Pa the stiffness
        decision uses (an older model's fixed ``stiff_limit_pa`` if lower)."""
        limits = self._physics_limits(inputs, calibration, seen)
        e_res = limits.resolvable_limit_pa
        if self.stiff_limit_pa is not None:  # an older model's fixed limit
            e_res = min(e_res, self.stiff_limit_pa)
        return limits, e_res

    def _below_physics_bound(self, analytical: ModulusEstimate | None, mu: float) -> bool:
        """Whether the physics' "stiffer than the gel" bound outranks the answer ``mu``
        (log10 Pa). ``neural`` has no physics of its own: never."""
        return False

    def _physics_resolves(
        self, net: NetworkAnswer, analytical: ModulusEstimate | None, e_res: float
    ) -> tuple[float, float, float, dict[str, object]] | None:
        """When the answer is beyond the resolvable limit ``e_res``: None (answer with the
        lower bound), or the two-sided answer to give instead, as (log10 mean, log10 sigma,
        upper end of the 95 % interval in Pa, details to add). ``neural`` has no physics of
        its own: always None."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={str(self.loaded.path)!r})"


class HybridEstimator(NeuralEstimator):
    """Network and analytical ``auto`` combined by their uncertainties; physics alone when the
    network is out of its training distribution (see the module docstring)."""

    name = "hybrid"
    analytical_name = "auto"

    def __init__(
        self,
        model: str | Path | LoadedModel = "default",
        *,
        gate_ood_score: float | None = None,
        check_given_points: bool | Literal["flagged", "network"] = "network",
        **options: object,
    ) -> None:
        check_point_option("check_given_points", check_given_points, extra=("network",))
        options.pop("analytical", None)
        super().__init__(model, analytical="auto", **options)  # type: ignore[arg-type]
        self.analytical = "auto"
        #: above this OOD score the physics answers alone
        self.gate_ood_score = REFUSE_SCORE if gate_ood_score is None else gate_ood_score
        #: check a given-geometry point of the physics before combining: ``"network"`` (the
        #: default since given39's pre-registered test passed) replaces it by blind's answer on
        #: the same grasp where the network reads the object far beyond the grasp's resolvable
        #: limit (:meth:`_given_point_checked_by_network`); ``True`` wherever blind reads only
        #: a bound (:func:`~tactile.estimators.auto.point_checked_by_blind`; failed its
        #: pre-registered tests twice, given36 and given37), ``"flagged"`` only where that bound
        #: is flagged ``stiffer_than_gel`` (failed, given38: too few rigid points removed);
        #: ``False`` never (docs/network.md "Hybrid").
        #: The physics is ``auto`` without its own check whatever ``auto``'s default
        #: (:func:`~tactile.estimators.neural.data.analytical_estimator`)
        self.check_given_points = check_given_points

    def _predict(
        self,
        inputs: GraspInputs,
        feats: GraspFeatures,
        analytical: ModulusEstimate | None,
        meta: GraspMetadata,
        calibration: SensorCalibration,
        net: NetworkAnswer | None = None,
    ) -> ModulusEstimate:
        check_visible_contact(feats, meta)
        if net is None:
            net = self.network_answer(inputs, meta)
        outside = self.envelope.reason(calibration)
        if outside is None and net.outside_labels is None and net.ood_score <= self.gate_ood_score:
            if analytical is not None and self.check_given_points == "network":
                analytical = self._given_point_checked_by_network(
                    analytical, inputs, feats, meta, calibration, net
                )
            elif analytical is not None and self.check_given_points:
                # a given-geometry point stands only where blind, on the same grasp, answers a
                # point too; else blind's bound is the physics (given36, opt-in: docs/network.md)
                analytical = point_checked_by_blind(
                    analytical,
                    feats,
                    meta=meta,
                    calibration=calibration,
                    flagged_only=self.check_given_points == "flagged",
                )
            # the network's answer is reused, not computed a second time (issue 12)
            return super()._predict(inputs, feats, analytical, meta, calibration, net)
        reasons = [r for r in (net.ood_reason, outside, net.outside_labels) if r is not None]
        if analytical is None:
            why = "; ".join(reasons) or f"score {net.ood_score:.1f} > {self.gate_ood_score}"
            raise EstimatorError(
                f"the grasp is out of the network's training distribution ({why}) and the "
                "analytical estimate failed",
                hint=(
                    missing_input_hint(calibration)
                    if net.ood_reason is not None
                    else ENVELOPE_PHYSICS_FAILED_HINT
                    if outside is not None
                    else "check the grasp (contact, force, calibration); retrain with a "
                    "simulated rig like this one"
                ),
            )
        details = {
            **analytical.details,
            "source": "analytical (network out of distribution)"
            if outside is None
            else "analytical (calibration outside the network's training rigs)",
            "ood_score": net.ood_score,
            "network_log10_mean": net.mu,
        }
        if reasons:
            details["ood_reason"] = "; ".join(reasons)
        # the grasp's resolvable limit is physics (the rig calibration and this grasp's force
        # and contact), not the network's: the fallback carries it too, so that `tactile
        # evaluate` places the object above or below the limit as it does for the network's
        # answers (netgel39: without it a fallback counted as below its limit). The answer
        # itself is the physics', unchanged.
        # (the value the network's answers name, not the one an older model's fixed
        # ``stiff_limit_pa`` may lower for its stiffness decision: review40)
        try:
            limit = self._physics_limits(
                inputs, calibration, contact_seen(feats)
            ).resolvable_limit_pa
        except TactileError:  # limits the physics cannot form: the answer stands without one
            pass
        else:
            if math.isfinite(limit) and limit > 0.0:
                details.setdefault("resolvable_limit_pa", float(limit))
        details.setdefault("calibration_id", calibration.calibration_id)
        details.setdefault("gel_modulus_pa", calibration.gel_modulus_pa)
        return dataclasses.replace(analytical, estimator=self.name, details=details)

    def _given_point_checked_by_network(
        self,
        analytical: ModulusEstimate,
        inputs: GraspInputs,
        feats: GraspFeatures,
        meta: GraspMetadata,
        calibration: SensorCalibration,
        net: NetworkAnswer,
    ) -> ModulusEstimate:
        """``check_given_points="network"`` (given39): a given-geometry two-sided point of the
        physics gives way to blind's answer on the same features (point or bound,
        :func:`~tactile.estimators.auto.blind_in_place_of_given_point`) where the network's
        mean is at least :data:`NETWORK_CHECK_MARGIN_DEX` above the grasp's resolvable limit:
        the network reads the object as far stiffer than anything this grasp resolves, and a
        given point then rests on the calibration's gel (a stiffer gel's extra deformation read
        as the object's). Unchanged otherwise, when ``analytical`` is no given-geometry point,
        or when blind cannot read the grasp (noted in ``details``)."""
        details = analytical.details
        if (
            analytical.lower_bound_only
            or details.get("auto_chose") in (None, "blind")
            or "blind_lower_bound_only" in details
            or "blind_check" in details
        ):
            return analytical
        _, e_res = self._limits(inputs, calibration, contact_seen(feats))
        beyond = net.mu - math.log10(e_res)
        if beyond < NETWORK_CHECK_MARGIN_DEX:
            return analytical
        try:
            blind = BlindEstimator().estimate_features(feats, meta=meta, calibration=calibration)
        except TactileError as exc:
            noted = dict(details, blind_check=f"unavailable: {exc.message}")
            return dataclasses.replace(analytical, details=noted)
        note = (
            f"the network reads the object {beyond:.1f} decades above what this grasp resolves: "
            f"the given geometry's point ({analytical.modulus_pa:.3g} Pa) gives way to the blind "
            f"physics' {'bound' if blind.lower_bound_only else 'answer'} "
            f"({blind.modulus_pa:.3g} Pa)"
        )
        out = blind_in_place_of_given_point(analytical, blind, note)
        return dataclasses.replace(out, details=dict(out.details, given_point_checked_by="network"))

    def _below_physics_bound(self, analytical: ModulusEstimate | None, mu: float) -> bool:
        """The blind physics answered only a bound and flagged it ``stiffer_than_gel`` (a
        bound built to hold for any shape and material, :func:`blind_bound`), and the answer
        ``mu`` (log10 Pa) is below it: the hybrid then answers that bound, not a point that
        contradicts it (a network that reads a rigid object soft must not unflag it). Weak
        bounds (``unresolved``, below the gel) and given-geometry bounds do not override."""
        bound = blind_bound(analytical)
        return (
            bound > 0.0
            and analytical is not None
            and Flag.STIFFER_THAN_GEL in analytical.flags
            and mu < math.log10(bound)
        )

    def _physics_resolves(
        self, net: NetworkAnswer, analytical: ModulusEstimate | None, e_res: float
    ) -> tuple[float, float, float, dict[str, object]] | None:
        """The physics resolves the object below the limit — a two-sided analytical estimate
        whose upper 95 % end (with the hybrid's calibrated sigma,
        :func:`_analytical_gaussian`) is below ``e_res`` — while the combination is at or above
        it: the physics answers (its mean and sigma), the 95 % interval's upper end raised to
        the network's mean so that it covers the disagreement; ``details`` name it. The
        network's claim alone is not a measured "stiffer than the gel" (docs/network.md)."""
        ana = _analytical_gaussian(analytical, self.analytical_sigma_scale)
        if ana is None:  # missing, or a lower bound only
            return None
        mu_a, sigma_a = ana
        upper95 = mu_a + Z95 * sigma_a
        if not upper95 < math.log10(e_res):
            return None
        hi95 = 10 ** max(upper95, net.mu)
        return (
            mu_a,
            sigma_a,
            hi95,
            {
                "source": "analytical (physics resolves the object below the limit; the "
                "network is beyond it)",
                "network_physics_disagree": True,
                "network_weight": 0.0,
                "analytical_log10_upper_95": upper95,
            },
        )

    @property
    def analytical_sigma_scale(self) -> float:
        """The factor on the physics' own sigma that makes its 68 % intervals cover 68 % of the
        validation objects (``info["analytical_sigma_scale"]``, fitted on simulated grasps no
        training or test object is in; 1 when the checkpoint has none)."""
        value = self.loaded.info.get("analytical_sigma_scale")
        return float(value) if isinstance(value, int | float) and value > 0 else 1.0

    def _combine(
        self, net: NetworkAnswer, analytical: ModulusEstimate | None
    ) -> tuple[float, float, dict[str, object]]:
        ana = _analytical_gaussian(analytical, self.analytical_sigma_scale)
        if ana is None and analytical is not None and analytical.lower_bound_only:
            # physics says "at least this stiff": a network answer below that bound is widened
            # up to it (the disagreement stays visible in the interval)
            gap = analytical.log10_modulus - net.mu
            sigma = max(net.sigma, gap) if gap > 0 else net.sigma
            return net.mu, sigma, {"source": "network (analytical: lower bound only)"}
        if ana is None:
            return net.mu, net.sigma, {"source": "network (no analytical estimate)"}
        w_n, w_a = 1.0 / net.sigma**2, 1.0 / ana[1] ** 2
        p_n, p_a = w_n / (w_n + w_a), w_a / (w_n + w_a)
        mu = p_n * net.mu + p_a * ana[0]
        second = p_n * (net.sigma**2 + net.mu**2) + p_a * (ana[1] ** 2 + ana[0] ** 2)
        sigma = math.sqrt(max(second - mu * mu, 1e-12))
        return mu, sigma, {"source": "mixture", "network_weight": p_n}


def _grasp_limits(
    inputs: GraspInputs, rig: SensorCalibration | None, unseen_pad_area_mm2: float | None
) -> PhysicsLimits:
    """The grasp's physics limits (:func:`physics_limits`) from its inputs' last sample; when
    the camera did not see the contact (``unseen_pad_area_mm2``: the pad's area) the bound
    allows for a contact as large as the pad (the imaged area may be far below the true one)."""
    return physics_limits(
        force_n=float(np.expm1(inputs.force[0, -1])),
        contact_area_mm2=float(np.expm1(inputs.force[1, -1])),
        size_mm=float(np.exp(inputs.geometry[0])),
        closure_mm=float(inputs.width[0, -1]),
        calibration=rig,
        bound_contact_area_mm2=unseen_pad_area_mm2,
    )


def blind_bound(estimate: ModulusEstimate | None) -> float:
    """The lower bound of a blind physics answer that is only a bound (``auto`` choosing
    ``blind``, ``auto`` answering blind's bound over a given-geometry point, or ``blind``
    itself), else 0."""
    if estimate is None or not estimate.lower_bound_only:
        return 0.0
    chose = (estimate.estimator, estimate.details.get("auto_chose"))
    if "blind" not in chose and estimate.details.get("bound_from") != "blind":
        return 0.0
    return float(estimate.modulus_pa)


def _analytical_gaussian(
    estimate: ModulusEstimate | None, sigma_scale: float = 1.0
) -> tuple[float, float] | None:
    """(log10 mean, log10 sigma) of an analytical estimate, its sigma times ``sigma_scale``
    (floored at ``MIN_ANALYTICAL_SIGMA``); None when missing or one-sided."""
    if estimate is None or estimate.lower_bound_only:
        return None
    lo, hi = estimate.interval_68_pa
    if not (0 < lo < hi and math.isfinite(hi)):
        return None
    sigma = math.log10(hi / lo) / (2.0 * Z68) * sigma_scale
    return estimate.log10_modulus, max(sigma, MIN_ANALYTICAL_SIGMA)
