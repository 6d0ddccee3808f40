"""Recording grasps from devices: the synchronised, safe recorder and collection sessions."""

from tactile.recording.recorder import (
    FrameCallback,
    GraspAbortedError,
    LiveFrame,
    Recorder,
    RecorderConfig,
    RecordingInterruptedError,
)
from tactile.recording.session import (
    CollectSession,
    OutputExistsError,
    SessionAbortedError,
    SessionConfig,
    SessionInterruptedError,
    SessionSummary,
    existing_grasp_ids,
    run_session,
)
from tactile.recording.validation import ValidationLimits, Verdict, validate_grasp

__all__ = [
    "CollectSession",
    "FrameCallback",
    "GraspAbortedError",
    "LiveFrame",
    "OutputExistsError",
    "Recorder",
    "RecorderConfig",
    "RecordingInterruptedError",
    "SessionAbortedError",
    "SessionConfig",
    "SessionInterruptedError",
    "SessionSummary",
    "ValidationLimits",
    "Verdict",
    "existing_grasp_ids",
    "run_session",
    "validate_grasp",
]
