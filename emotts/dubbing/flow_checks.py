"""Flow-matching settings a dub refuses before rendering: an avoided label the voice lacks
(the whole dub), and a cue's own guidance on a regression voice (that cue, skipped)."""

from __future__ import annotations

from emotts.emotion.labels import canonical_label
from emotts.errors import ControlError, EmotionSpecError
from emotts.synthesis.batch import Utterance
from emotts.synthesis.pipeline import SpeechSynthesizer


def check_avoid(avoid: str, labels: list[str]) -> None:
    """The avoided label is one of the voice's (aliases allowed)."""
    try:
        label = canonical_label(avoid)
    except EmotionSpecError as error:
        raise EmotionSpecError(f"avoid: {error}") from None
    if label not in labels:
        raise EmotionSpecError(
            f"avoid {avoid!r} is not a label of this voice; accepted: {', '.join(labels)}"
        )


def check_guidance(voice: SpeechSynthesizer, utterance: Utterance) -> None:
    """A cue's own guidance (tag or markup) needs a flow voice: the cue is skipped with this
    reason rather than failing the whole batch."""
    if voice.flow_sampling is not None:
        return
    if any(e.guidance is not None for s in utterance.sentences for e in s.emotions):
        raise ControlError(
            "the cue sets emotion guidance ([label; guidance=W] or <emotion guidance>), "
            f"which needs a flow-matching voice; this voice's decoder is {voice.decoder_type}"
        )
