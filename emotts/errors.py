"""The one error family users see.

Every problem caused by user input (text, markup, emotion specs, configs, files) raises a
subclass of :class:`EmottsError`. The message says what was wrong, where (position in the
input when there is one) and what is accepted. The command line turns these into a message on
stderr and exit code 2; anything else escaping is a bug.
"""

from __future__ import annotations


class EmottsError(ValueError):
    """Base class for errors caused by user input."""


class EmotionSpecError(EmottsError):
    """An emotion specification (label, blend, intensity, ADV) is invalid."""


class MarkupError(EmottsError):
    """Inline emotion markup in the text is malformed."""


class TextError(EmottsError):
    """Text cannot be normalized or phonemized (e.g. characters with no pronunciation)."""


class ConfigError(EmottsError):
    """A config file, manifest or voice directory is invalid."""


class AudioError(EmottsError):
    """An audio file cannot be read or has an unusable format."""


class ControlError(EmottsError):
    """A synthesis control (speed, duration, pitch shift, speaker, ...) is out of range."""


class SsmlError(MarkupError):
    """An SSML document is not well-formed, uses what emotts does not support, or has a bad value."""


class TextWarning(UserWarning):
    """Text was spoken, but not all of it: emoji and symbols with no reading were left silent,
    formatting tags (``<i>``, ``<b>``, ...) were dropped. The message names them."""
