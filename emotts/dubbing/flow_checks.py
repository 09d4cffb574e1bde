"""A cue's own guidance on a regression voice, refused before rendering (that cue is
skipped). An avoided label the voice lacks is refused by `emotts.emotion.control.avoided_weights`,
as everywhere else."""

from __future__ import annotations

from emotts.errors import ControlError
from emotts.synthesis.batch import Utterance
from emotts.synthesis.pipeline import SpeechSynthesizer


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
