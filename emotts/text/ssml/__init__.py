"""SSML 1.1 input (with emotts's ``<emotion>`` as an extension): see docs/emotion-control.md."""

from emotts.text.ssml.reader import EMOTTS_NAMESPACE, SSML_NAMESPACE, looks_like_ssml, parse_ssml
from emotts.text.ssml.values import PitchReference

__all__ = ["EMOTTS_NAMESPACE", "SSML_NAMESPACE", "PitchReference", "looks_like_ssml", "parse_ssml"]
