"""One error tree for the whole toolkit.

Every error says *what* went wrong (naming the device, file or field) and *how to fix it*.
Catch :class:`TactileError` to handle anything this package raises on purpose; anything else
escaping is a bug.
"""

from __future__ import annotations


class TactileError(Exception):
    """Root of every error raised on purpose by ``tactile``.

    ``hint`` is a one-line remedy shown by the CLI after the message.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} (fix: {self.hint})"
        return self.message


# --- configuration and input validation -------------------------------------------------------


class ConfigError(TactileError, ValueError):
    """A parameter, URL or configuration file is invalid."""


class ObjectDoesNotFitError(ConfigError):
    """An object at least as large along the squeeze as the open fingers: it cannot be grasped.

    ``size_mm``: the object along the squeeze; ``open_mm``: how far the fingers open. A sort
    rejects such an item and goes on with the next one; any other ``ConfigError`` stops it.
    """

    def __init__(
        self, message: str, *, size_mm: float, open_mm: float, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.size_mm = float(size_mm)
        self.open_mm = float(open_mm)


class InvalidGraspError(TactileError, ValueError):
    """A grasp's arrays have the wrong shape, dtype, length, or non-finite values."""


# --- storage and import -----------------------------------------------------------------------


class StoreError(TactileError):
    """Reading or writing grasp files failed."""


class CorruptFileError(StoreError):
    """The file is truncated, damaged, or not HDF5 at all."""


class ForeignFileError(StoreError):
    """The file is valid HDF5 (or video) but was not written by tactile / is not a grasp file."""


class SchemaVersionError(StoreError):
    """The file was written with a newer schema than this version of tactile understands."""


class GraspNotFoundError(StoreError, KeyError):
    """A grasp id that is not in the file."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return TactileError.__str__(self)


class ImportDataError(StoreError):
    """A third-party recording (e.g. the reference AVI + pickle layout) cannot be imported."""


class OutputExistsError(StoreError):
    """The output a command would write already exists and it was not told to replace or extend
    it (``--overwrite`` / ``--append``)."""


class UnsafePickleError(ImportDataError):
    """A pickle asked to load something other than plain numpy arrays; it was not executed."""


# --- hardware ---------------------------------------------------------------------------------


class DeviceError(TactileError):
    """A device failed, is missing, or was used wrongly."""


class DeviceNotConnectedError(DeviceError):
    """A device was used before ``connect()`` (or after ``close()``)."""


class DeviceTimeoutError(DeviceError, TimeoutError):
    """A device stopped answering within its timeout."""


class UnknownSchemeError(DeviceError, ConfigError):
    """A device URL whose scheme no backend handles."""


class GripperFaultError(DeviceError):
    """The gripper reported a fault code."""


class ProtocolError(DeviceError):
    """A device answered with bytes that break its protocol (bad CRC, wrong length, ...)."""


class SafetyLimitError(DeviceError):
    """A safety limit (maximum force, maximum closing time) was hit; the gripper was opened."""


# --- processing and estimation ----------------------------------------------------------------


class ProcessingError(TactileError):
    """Frames or signals cannot be turned into features."""


class NoContactError(ProcessingError):
    """The grasp never touched the object (no usable loading phase)."""


class CalibrationError(TactileError):
    """A calibration file is missing, invalid, or a calibration fit failed."""


class EstimatorError(TactileError):
    """An estimator cannot produce an estimate (unknown name, missing model, bad input)."""


class ModelFileError(EstimatorError):
    """A model checkpoint is missing, corrupt, or incompatible."""
