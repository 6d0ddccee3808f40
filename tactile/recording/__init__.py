"""Recording grasps from devices: the synchronised, safe recorder and collection sessions."""

from tactile.recording.recorder import GraspAbortedError, Recorder, RecorderConfig
from tactile.recording.session import (
    CollectSession,
    SessionAbortedError,
    SessionConfig,
    SessionSummary,
    existing_grasp_ids,
    run_session,
)
from tactile.recording.validation import ValidationLimits, Verdict, validate_grasp

__all__ = [
    "CollectSession",
    "GraspAbortedError",
    "Recorder",
    "RecorderConfig",
    "SessionAbortedError",
    "SessionConfig",
    "SessionSummary",
    "ValidationLimits",
    "Verdict",
    "existing_grasp_ids",
    "run_session",
    "validate_grasp",
]
