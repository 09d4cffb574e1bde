"""Acoustic models: emotion-conditioned FastSpeech2 with learned alignment."""

from emotts.models.acoustic_model import AcousticModel
from emotts.models.config import AcousticConfig

__all__ = ["AcousticConfig", "AcousticModel"]
