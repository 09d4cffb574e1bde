"""One check of an avoided label (`emotts.emotion.control.avoided_weights`) serves
`synthesize`, `emotts dub` and the server: the same refusal, worded the same, for a label the
voice lacks and for one that is no emotion at all; the server's 400 still names the field."""

from __future__ import annotations

import numpy as np
import pytest

from emotts.backends import load_voice
from emotts.dubbing import Dubber
from emotts.emotion.control import avoided_weights
from emotts.errors import EmotionSpecError
from emotts.server.flow import RequestFieldError, flow_options
from emotts.server.schemas import SpeechRequest
from emotts.synthesis.sampling import FlowControls
from tests.flow_voices import make_voices

LACKS_SAD = "avoid 'sad' is not a label of this voice; accepted: neutral, happy"


def test_avoided_weights_is_one_hot_in_the_voice_order_and_takes_aliases():
    np.testing.assert_array_equal(avoided_weights("sad", ["neutral", "happy", "sad"]), [0, 0, 1])
    np.testing.assert_array_equal(avoided_weights("joy", ["neutral", "happy"]), [0, 1])
    with pytest.raises(EmotionSpecError, match=LACKS_SAD):
        avoided_weights("sad", ["neutral", "happy"])
    with pytest.raises(EmotionSpecError, match="^avoid: unknown emotion label 'elated'"):
        avoided_weights("elated", ["neutral", "happy"])


@pytest.fixture
def two_label_voice(tmp_path, monkeypatch):
    """The tiny flow voice as if trained with neutral and happy only (refused before the model
    runs, so its real seven columns never meet the two)."""
    voice = load_voice(make_voices(tmp_path)["flow"], backend="torch")
    monkeypatch.setattr(type(voice), "labels", property(lambda self: ["neutral", "happy"]))
    return voice


@pytest.mark.parametrize("avoid", ["sad", "elated"])
def test_synthesize_dub_and_server_refuse_the_same_way(two_label_voice, avoid):
    expected = LACKS_SAD if avoid == "sad" else "avoid: unknown emotion label 'elated'"
    with pytest.raises(EmotionSpecError, match=expected):
        two_label_voice.synthesize("We walked home.", "happy", avoid=avoid)
    with pytest.raises(EmotionSpecError, match=expected):
        Dubber(two_label_voice, flow=FlowControls(avoid=avoid))
    request = SpeechRequest(input="We walked home.", avoid=avoid)
    with pytest.raises(RequestFieldError, match=expected) as refused:
        flow_options(request, two_label_voice)
    assert refused.value.param == "avoid"


def test_a_label_the_voice_has_still_renders(two_label_voice, monkeypatch):
    monkeypatch.undo()  # the real seven labels: sad is one of them
    audio = two_label_voice.synthesize("We walked home.", "happy", avoid="sad", seed=1)
    assert len(audio.samples) > 0
