"""Emotion read from the text (``-e auto``, ``<emotion name="auto">``).

The labelled set (tests/data/text_emotion_sentences.jsonl, 140 sentences, 20 per label, each
with a valence sign) was written for emotts. Its "dev" half was used while writing the
lexicon, its "test" half only for measuring; the thresholds below are what the method
reaches on each (docs/emotion-control.md has the figures and the confusion matrix).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from emotts.emotion.from_text import (
    AutoEmotion,
    estimate_text_emotion,
    is_auto,
    parse_auto,
    resolve_auto,
)
from emotts.emotion.labels import LABEL_ADV, LABELS
from emotts.emotion.markup import parse_markup
from emotts.emotion.spec import EmotionSpec
from emotts.errors import EmotionSpecError, MarkupError
from emotts.synthesis.pipeline import coerce_emotion
from emotts.text.frontend import inferred_emotions

SENTENCES = Path(__file__).parent / "data" / "text_emotion_sentences.jsonl"


def _rows(split: str | None = None) -> list[dict]:
    rows = [json.loads(line) for line in SENTENCES.read_text(encoding="utf-8").splitlines()]
    return [row for row in rows if split is None or row["split"] == split]


def _sign(value: float) -> int:
    return 0 if value == 0 else (1 if value > 0 else -1)


def test_labelled_set_covers_every_label():
    counts = Counter(row["label"] for row in _rows())
    assert set(counts) == set(LABELS) and min(counts.values()) >= 20 and len(_rows()) >= 100


@pytest.mark.parametrize(
    ("split", "accuracy", "valence"), [("dev", 0.9, 0.85), ("test", 0.8, 0.78)]
)
def test_accuracy_and_valence_sign_on_the_labelled_set(split, accuracy, valence):
    rows = _rows(split)
    predicted = [estimate_text_emotion(row["text"]).label for row in rows]
    confusion = Counter((row["label"], label) for row, label in zip(rows, predicted, strict=True))
    correct = sum(confusion[(label, label)] for label in LABELS)
    assert correct / len(rows) >= accuracy, confusion
    # The valence the speech will carry: the prototype valence of the label chosen.
    agree = sum(
        _sign(LABEL_ADV[label][2]) == row["valence"]
        for row, label in zip(rows, predicted, strict=True)
    )
    assert agree / len(rows) >= valence
    # Every label is recognised at least half the time: no label is left to chance.
    for label in LABELS:
        assert confusion[(label, label)] >= 5, (label, confusion)


def test_plain_statements_stay_neutral_and_the_threshold_controls_it():
    flat = estimate_text_emotion("The bus leaves at six from the main square.")
    assert flat.label == "neutral" and flat.spec() == EmotionSpec.neutral()
    weak = estimate_text_emotion("I might miss the bus.")
    assert 0 < weak.confidence < 1
    assert estimate_text_emotion("I might miss the bus.", threshold=weak.confidence).label == "sad"
    assert estimate_text_emotion("I might miss the bus.", threshold=1.0).label == "neutral"
    assert sum(weak.probabilities.values()) == pytest.approx(1.0)


def test_negation_removes_a_cue():
    assert estimate_text_emotion("I am so happy today.").label == "happy"
    assert estimate_text_emotion("I am not happy about the schedule.").label != "happy"


def test_auto_parsing_and_errors():
    assert is_auto("auto") and is_auto(" Auto ; intensity=0.5") and not is_auto("happy")
    assert parse_auto("auto; intensity=0.5") == AutoEmotion(0.5)
    assert parse_auto("auto", intensity=1.5) == AutoEmotion(1.5)
    assert coerce_emotion("auto") == AutoEmotion()
    with pytest.raises(EmotionSpecError, match="both inside"):
        parse_auto("auto; intensity=0.5", intensity=0.7)
    with pytest.raises(EmotionSpecError, match="outside"):
        parse_auto("auto; intensity=5")
    with pytest.raises(EmotionSpecError, match="after auto"):
        parse_auto("auto; speed=2")
    with pytest.raises(EmotionSpecError, match="threshold"):
        estimate_text_emotion("hello", threshold=1.5)


def test_each_sentence_gets_its_own_emotion():
    text = "I am so happy to see you! Get out of my house, you idiot. The bus leaves at six."
    found = inferred_emotions(text, AutoEmotion(0.8))
    assert [spec for spec, _ in found] == [
        EmotionSpec.label("happy", 0.8),
        EmotionSpec.label("angry", 0.8),
        EmotionSpec.neutral(),
    ]
    assert found[1][1].text.strip() == "Get out of my house, you idiot."


def test_auto_spans_in_markup_are_read_from_their_own_words():
    text = 'Look. <emotion name="auto" intensity="1.3">This soup is disgusting.</emotion> Bye.'
    segments = parse_markup(text)
    assert segments[1].emotion == AutoEmotion(1.3)
    found = inferred_emotions(text, EmotionSpec.label("sad"))
    assert [spec for spec, _ in found] == [EmotionSpec.label("disgusted", 1.3)]
    with pytest.raises(MarkupError, match="invalid <emotion> tag"):
        parse_markup('<emotion name="auto" intensity="9">x</emotion>')


def test_resolve_auto_keeps_explicit_emotions():
    text = "We won! It rained."
    sad = EmotionSpec.label("sad")
    auto = AutoEmotion()
    emotions = [auto] * 8 + [sad] * (len(text) - 8)
    resolved, found = resolve_auto(text, emotions, [(0, 7), (8, len(text))])
    assert resolved[:7] == [EmotionSpec.label("happy")] * 7 and resolved[8:] == [sad] * 10
    assert len(found) == 1


@pytest.fixture(scope="module")
def voice(tmp_path_factory):
    from emotts.api import Voice
    from emotts.models.untrained import make_untrained_voice

    directory = tmp_path_factory.mktemp("voice")
    return Voice.load(make_untrained_voice(directory, "tiny", vocoder="griffinlim", seed=5))


def test_auto_gives_the_model_the_inputs_of_the_inferred_markup(voice):
    text = "I am thrilled! He died."
    explicit = (
        '<emotion name="happy" intensity="0.7">I am thrilled!</emotion> '
        '<emotion name="sad" intensity="0.7">He died.</emotion>'
    )
    auto = voice.frontend.process(text, coerce_emotion("auto; intensity=0.7"))
    marked = voice.frontend.process(explicit, EmotionSpec.neutral())
    assert [s.phoneme_ids for s in auto] == [s.phoneme_ids for s in marked]
    assert [s.emotions for s in auto] == [s.emotions for s in marked]
    assert {spec.weights[0][0] for s in auto for spec in s.emotions} == {"happy", "sad"}


def test_synth_command_prints_what_auto_read(voice, tmp_path, capsys):
    from emotts.cli import main

    out = tmp_path / "auto.wav"
    text = "I am so scared. Close the door."
    assert (
        main(["synth", "-v", str(voice.directory), "-t", text, "-e", "auto", "-o", str(out)]) == 0
    )
    err = capsys.readouterr().err
    assert "auto: fearful (confidence" in err and "auto: neutral" in err and out.is_file()
    assert (
        main(
            [
                "synth",
                "-v",
                str(voice.directory),
                "-t",
                text,
                "-e",
                "auto",
                "--adv",
                "0,0,0",
                "-o",
                str(out),
            ]
        )
        == 2
    )
    assert "-e auto and an ADV vector" in capsys.readouterr().err
