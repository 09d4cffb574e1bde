"""The demo's flow-matching and calibration controls reach the model, and bad uses are refused.

Voices: the tiny untrained flow and regression voices of tests/flow_voices.py (deterministic,
calibrated), driven through the same request handling as the page (`handle_synthesis`) and
through the Synthesize button's callback (`SynthesisTab.run`) with the widgets' raw values.
"""

from __future__ import annotations

import numpy as np
import pytest

from emotts.demo.flow_controls import NO_AVOID, FlowSettings, flow_settings
from emotts.demo.handler import handle_synthesis
from emotts.demo.request import EmotionChoice, SynthesisRequest
from emotts.demo.session import Session, delete_session
from emotts.errors import EmottsError
from tests.flow_voices import make_voices

TEXT = "We walked home in the rain."


@pytest.fixture(scope="module")
def voices(tmp_path_factory):
    return {k: str(v) for k, v in make_voices(tmp_path_factory.mktemp("flow_demo")).items()}


@pytest.fixture
def session():
    session = Session.create()
    yield session
    delete_session(session)


def _render(voice: str, session: Session, flow: FlowSettings, label: str = "happy") -> np.ndarray:
    request = SynthesisRequest(
        text=TEXT, voice=voice, emotion=EmotionChoice("label", label, 1.0), flow=flow
    )
    return np.asarray(handle_synthesis(request, session).audio.samples)


def _differ(a: np.ndarray, b: np.ndarray) -> bool:
    return len(a) != len(b) or float(np.max(np.abs(a - b))) > 1e-4


def test_seed_reproduces_and_another_seed_differs(voices, session):
    seeded = FlowSettings(guidance=1.0, steps=3, temperature=1.0, seed=7)
    first, again = (
        _render(voices["flow"], session, seeded),
        _render(voices["flow"], session, seeded),
    )
    assert not _differ(first, again)
    other = _render(
        voices["flow"], session, FlowSettings(guidance=1.0, steps=3, temperature=1.0, seed=8)
    )
    assert _differ(first, other)


@pytest.mark.parametrize(
    "change",
    [
        {"guidance": 3.0},
        {"avoid": "sad", "avoid_guidance": 2.0},
        {"steps": 6},
        {"temperature": 0.3},
    ],
)
def test_each_flow_control_changes_the_audio(voices, session, change):
    base = {"guidance": 1.0, "steps": 3, "temperature": 1.0, "seed": 3}
    reference = _render(voices["flow"], session, FlowSettings(**base))
    changed = _render(voices["flow"], session, FlowSettings(**{**base, **change}))
    assert _differ(reference, changed), change


@pytest.mark.parametrize("kind", ["flow", "regression"])
def test_raw_intensity_skips_the_calibration(voices, session, kind):
    seed = {"seed": 1} if kind == "flow" else {}
    calibrated = _render(voices[kind], session, FlowSettings(**seed))
    raw = _render(voices[kind], session, FlowSettings(raw_intensity=True, **seed))
    assert _differ(calibrated, raw)


def test_flow_settings_on_a_regression_voice_are_refused(voices, session):
    with pytest.raises(EmottsError, match="flow"):
        _render(voices["regression"], session, FlowSettings(guidance=2.0, steps=3, seed=1))
    # With the flow settings off, the same voice renders as before.
    assert _render(voices["regression"], session, FlowSettings()).size


def test_unknown_avoided_label_is_a_user_error(voices, session):
    with pytest.raises(EmottsError, match="avoid"):
        _render(
            voices["flow"], session, FlowSettings(guidance=1.0, avoid="bored", avoid_guidance=1.0)
        )


def test_widget_values_become_settings():
    off = flow_settings(False, 2.0, "sad", 1.5, 5, 0.5, 9, True)
    assert off == FlowSettings(raw_intensity=True)
    assert off.options() == {"raw_intensity": True}
    on = flow_settings(True, 2.0, NO_AVOID, 1.5, 5.0, 0.5, 9.0, False)
    assert on == FlowSettings(guidance=2.0, steps=5, temperature=0.5, seed=9)
    assert "avoid" not in on.options() and on.options()["seed"] == 9
    avoiding = flow_settings(True, 2.0, "sad", 1.5, 5, 0.5, None, False)
    assert avoiding.avoid == "sad" and avoiding.avoid_guidance == 1.5 and avoiding.seed is None


def test_the_synthesize_callback_passes_the_flow_widgets(voices):
    """The button's callback, given widget values in the order of its inputs, renders with
    them: the same seed twice gives the same audio, another seed other audio."""
    import soundfile as sf

    from emotts.demo.ui import SynthesisTab
    from emotts.emotion.labels import LABELS

    def press(seed: int) -> np.ndarray:
        mix, adv = [0.0] * len(LABELS), [0.0, 0.0, 0.0]
        prosody = [None, 1.0, 0.0, False, 3.0]  # clip, speed, pitch, use_duration, duration
        flow = [True, 1.5, NO_AVOID, 1.0, 3, 1.0, seed, False]
        out = SynthesisTab.run(
            None,
            None,
            TEXT,
            "",
            voices["flow"],
            "torch",
            None,
            "label",
            "happy",
            1.0,
            *mix,
            *adv,
            *prosody,
            *flow,
        )
        assert "error" not in str(out[1]), out[1]
        samples, _ = sf.read(out[2], dtype="float32")
        return samples

    first, again, other = press(4), press(4), press(5)
    assert not _differ(
        first,
        again,
    ) and _differ(first, other)
