"""EmotionSpec constructors, labels, the -e/--intensity/--adv parser and its errors."""

from __future__ import annotations

import dataclasses
import math
import pickle

import pytest

from emotts.emotion import (
    LABEL_ADV,
    LABELS,
    MSP_PODCAST_CODES,
    Emotion,
    EmotionSpec,
    canonical_label,
    parse_emotion,
)
from emotts.errors import EmotionSpecError, EmottsError


def test_canonical_labels_and_order() -> None:
    assert LABELS == ("neutral", "happy", "angry", "sad", "surprised", "fearful", "disgusted")
    assert set(LABEL_ADV) == set(LABELS)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("happy", "happy"),
        ("HAPPY", "happy"),
        (" Joy ", "happy"),
        ("happiness", "happy"),
        ("amused", "happy"),
        ("anger", "angry"),
        ("sadness", "sad"),
        ("Surprise", "surprised"),
        ("fear", "fearful"),
        ("afraid", "fearful"),
        ("disgust", "disgusted"),
        ("neu", "neutral"),
    ],
)
def test_aliases(name: str, label: str) -> None:
    assert canonical_label(name) == label


def test_unknown_label_lists_accepted_and_suggests() -> None:
    with pytest.raises(EmotionSpecError) as info:
        canonical_label("hapy")
    message = str(info.value)
    assert "unknown emotion label 'hapy'" in message
    assert "did you mean 'happy'?" in message
    for label in LABELS:
        assert label in message


def test_unsupported_label_explains_why() -> None:
    with pytest.raises(EmotionSpecError, match="'sleepy' is not supported.*ADV vector"):
        canonical_label("sleepy")


def test_msp_podcast_codes() -> None:
    assert MSP_PODCAST_CODES["U"] == "surprised"
    assert MSP_PODCAST_CODES["C"] is None
    assert all(code is None or code in LABELS for code in MSP_PODCAST_CODES.values())


def test_label_adv_is_russell_mehrabian_reordered() -> None:
    # The paper gives (pleasure, arousal, dominance); we store (arousal, dominance, valence).
    pad = {"happy": (0.81, 0.51, 0.46), "fearful": (-0.64, 0.60, -0.43)}
    for label, (p, a, d) in pad.items():
        assert LABEL_ADV[label] == (a, d, p)
    assert LABEL_ADV["neutral"] == (0.0, 0.0, 0.0)


def test_constructors() -> None:
    assert EmotionSpec.label("joy", 1.2) == EmotionSpec(weights=(("happy", 1.0),), intensity=1.2)
    assert EmotionSpec.neutral() == EmotionSpec.label("neutral")
    spec = EmotionSpec.adv(0.7, 0.2, -0.5, intensity=0.5)
    assert spec.adv == (0.7, 0.2, -0.5) and spec.weights is None and spec.is_adv
    assert spec.intensity == 0.5
    assert Emotion is EmotionSpec


def test_mix_normalizes_and_orders() -> None:
    spec = EmotionSpec.mix({"sad": 1, "joy": 3})
    assert spec.weights == (("happy", 0.75), ("sad", 0.25))
    assert EmotionSpec.mix("sad:0.4,happy:0.6") == EmotionSpec.mix({"happy": 0.6, "sad": 0.4})
    assert EmotionSpec.mix("happy:0.3") == EmotionSpec.label("happy")
    huge = EmotionSpec.mix({"happy": 1e308, "sad": 1e308})
    assert huge.weights == (("happy", 0.5), ("sad", 0.5))


def test_with_intensity_and_dict_round_trip() -> None:
    spec = EmotionSpec.mix("happy:0.6,surprised:0.4").with_intensity(1.4)
    assert spec.intensity == 1.4
    assert EmotionSpec.from_dict(spec.to_dict()) == spec
    adv = EmotionSpec.adv(0.1, -0.2, 0.3, intensity=-1)
    assert adv.to_dict() == {"adv": [0.1, -0.2, 0.3], "intensity": -1.0}
    assert EmotionSpec.from_dict(adv.to_dict()) == adv


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (EmotionSpec.label("happy"), "happy"),
        (EmotionSpec.label("sad", 1.4), "sad; intensity=1.4"),
        (EmotionSpec.mix("happy:0.6,surprised:0.4"), "happy:0.6,surprised:0.4"),
        (EmotionSpec.adv(0.7, 0.2, -0.5, 0.5), "adv=0.7,0.2,-0.5; intensity=0.5"),
    ],
)
def test_str_round_trips(spec: EmotionSpec, text: str) -> None:
    assert str(spec) == text
    assert parse_emotion(str(spec)) == spec


def test_parse_emotion_cli_forms() -> None:
    assert parse_emotion("happy") == EmotionSpec.label("happy")
    assert parse_emotion(" happy : 0.6 , surprised:0.4 ") == EmotionSpec.mix(
        {"happy": 0.6, "surprised": 0.4}
    )
    assert parse_emotion("happy", intensity=1.4) == EmotionSpec.label("happy", 1.4)
    assert parse_emotion(None, adv="0.7,0.2,-0.5") == EmotionSpec.adv(0.7, 0.2, -0.5)
    assert parse_emotion(None, intensity=0.5, adv="0,0,0") == EmotionSpec.adv(0, 0, 0, 0.5)
    assert parse_emotion(None) == EmotionSpec.neutral()
    assert parse_emotion("ADV = 1,-1,0") == EmotionSpec.adv(1, -1, 0)


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("hapy", ["unknown emotion label 'hapy'", "position 0", "did you mean 'happy'", "neutral"]),
        ("sad:0.5,hapy:0.5", ["'hapy'", "position 8", "Accepted labels"]),
        ("happy:0.5,joy:0.5", ["appears twice", "position 10", "at most once"]),
        ("happy:-1,sad:1", ["negative", "position 6", "non-negative"]),
        ("happy:abc,sad:1", ["'abc' is not a number", "position 6", "label:weight"]),
        ("happy:nan,sad:1", ["finite", "position 6", "label:weight"]),
        ("happy:inf,sad:1", ["finite", "position 6"]),
        ("happy:1e999,sad:1", ["too large", "position 6"]),
        ("happy:0,sad:0", ["sum to zero", "position 0", "not all zero"]),
        ("happy:,sad:1", ["weight of 'happy' is missing", "position 6"]),
        ("happy,sad", ["has no weight", "position 0", "happy:0.6"]),
        ("happy:1,", ["empty blend entry", "position 8"]),
        ("", ["empty", "position 0", "Accepted"]),
        ("   ", ["empty", "position 0"]),
        ("; intensity=1", ["emotion is missing", "position 0"]),
        ("adv=0.1,0.2", ["2 components, not 3", "position 4", "arousal,dominance,valence"]),
        ("adv=0.1,0.2,0.3,0.4", ["4 components", "position 4"]),
        ("adv=0,0,1.5", ["valence 1.5 is outside [-1, 1]", "position 8"]),
        ("adv=0,nan,0", ["dominance must be a finite number", "position 6"]),
        ("adv=", ["ADV vector is empty", "position 4"]),
        ("happy; intensity=2.5", ["intensity 2.5 is outside [-1, 2]", "position 17"]),
        ("happy; intensity=nan", ["intensity must be a finite number", "position 17"]),
        ("happy; intensity=1; intensity=1", ["given twice", "position 20"]),
        ("happy; speed=1", ["unknown option 'speed=1'", "position 7", "intensity"]),
        ("mood=happy", ["unknown key 'mood'", "position 0"]),
    ],
)
def test_parse_emotion_errors(text: str, fragments: list[str]) -> None:
    with pytest.raises(EmotionSpecError) as info:
        parse_emotion(text)
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"text": "happy", "adv": "0,0,0"}, ["both", "-e", "--adv"]),
        ({"text": "happy; intensity=1", "intensity": 1.0}, ["intensity is given both"]),
        ({"text": None, "intensity": 3.0}, ["intensity 3.0 is outside [-1, 2]"]),
        ({"text": None, "intensity": math.nan}, ["finite"]),
        ({"text": None, "adv": ""}, ["ADV vector is empty", "position 0"]),
        ({"text": None, "adv": "1,1"}, ["2 components"]),
        ({"text": None, "adv": "0, 0, -1.01"}, ["valence -1.01 is outside", "position 6"]),
    ],
)
def test_parse_emotion_argument_errors(kwargs: dict, fragments: list[str]) -> None:
    with pytest.raises(EmotionSpecError) as info:
        parse_emotion(**kwargs)
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: EmotionSpec.label("happy", intensity=2.01), "outside [-1, 2]"),
        (lambda: EmotionSpec.label("happy", intensity=-1.5), "outside [-1, 2]"),
        (lambda: EmotionSpec.label("happy", intensity=math.inf), "finite"),
        (lambda: EmotionSpec.label("happy", intensity="1"), "must be a number"),
        (lambda: EmotionSpec.label("happy", intensity=True), "must be a number"),
        (lambda: EmotionSpec.label(3), "must be a string"),
        (lambda: EmotionSpec.mix({}), "blend is empty"),
        (lambda: EmotionSpec.mix({"happy": -0.1, "sad": 1}), "negative"),
        (lambda: EmotionSpec.mix({"happy": 0, "sad": 0.0}), "sum to zero"),
        (lambda: EmotionSpec.mix({"happy": math.nan}), "finite"),
        (lambda: EmotionSpec.mix({"happy": 1, "joy": 1}), "twice"),
        (lambda: EmotionSpec.mix(["happy"]), "mapping or a string"),
        (lambda: EmotionSpec.adv(1.2, 0, 0), "arousal 1.2 is outside [-1, 1]"),
        (lambda: EmotionSpec.adv(0, math.nan, 0), "dominance must be a finite number"),
        (lambda: EmotionSpec(), "exactly one"),
        (lambda: EmotionSpec(weights=(("happy", 1.0),), adv=(0, 0, 0)), "exactly one"),
        (lambda: EmotionSpec(adv=(0, 0)), "3 components"),
        (lambda: EmotionSpec.from_dict({"label": "happy"}), "unknown emotion keys ['label']"),
        (lambda: EmotionSpec.from_dict({"weights": ["happy"]}), "must be a mapping"),
        (lambda: EmotionSpec.from_dict([]), "must be a mapping"),
        (lambda: parse_emotion(3), "must be a string"),
    ],
)
def test_api_errors(build, fragment: str) -> None:
    with pytest.raises(EmottsError, match=None) as info:
        build()
    assert isinstance(info.value, EmotionSpecError)
    assert fragment in str(info.value)
    assert "Accepted" in str(info.value)


def test_spec_is_frozen() -> None:
    spec = EmotionSpec.label("happy")
    with pytest.raises(AttributeError):
        spec.intensity = 2.0  # type: ignore[misc]
    assert hash(spec) == hash(EmotionSpec.label("joy"))


def test_adv_field_and_constructor_coexist() -> None:
    # EmotionSpec.adv is a constructor on the class and the ADV field on instances.
    spec = EmotionSpec.adv(0.1, 0.2, 0.3)
    assert spec.adv == (0.1, 0.2, 0.3)
    assert EmotionSpec.label("sad").adv is None
    restored = pickle.loads(pickle.dumps(spec))
    assert restored == spec and restored.adv == spec.adv
    assert dataclasses.replace(spec, intensity=0.0).adv == spec.adv
