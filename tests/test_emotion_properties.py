"""Property tests: the parsers fail only with EmottsError, and valid input round-trips."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from emotts.emotion import (
    LABELS,
    EmotionSpec,
    emotion_tag,
    escape,
    parse_emotion,
    parse_markup,
)
from emotts.emotion.prosody import SPEED_RANGE, prosody_tag
from emotts.errors import EmottsError

intensities = st.floats(min_value=-1.0, max_value=2.0)
adv_components = st.floats(min_value=-1.0, max_value=1.0)
label_names = st.sampled_from([*LABELS, "Joy", "anger", "SURPRISE", "fear", "disgust"])
positive_weights = st.floats(min_value=0.0, max_value=1e300, allow_subnormal=True)

specs = st.one_of(
    st.builds(EmotionSpec.label, label_names, intensities),
    st.builds(
        EmotionSpec.mix,
        st.dictionaries(st.sampled_from(LABELS), positive_weights, min_size=1).filter(
            lambda weights: any(weights.values())
        ),
        intensities,
    ),
    st.builds(EmotionSpec.adv, adv_components, adv_components, adv_components, intensities),
)

# Pieces of the -e grammar, valid and broken, so that joined strings are near-valid inputs.
emotion_pieces = st.sampled_from(
    [
        "happy",
        "Joy",
        "sad",
        "hapy",
        "sleepy",
        "adv",
        "intensity",
        ":",
        ",",
        ";",
        "=",
        " ",
        "",
        "0.5",
        "-1",
        "1e999",
        "nan",
        "inf",
        "2.5",
        ".",
        "e5",
        "+",
        "\t",
        "é",
    ]
)
markup_pieces = st.sampled_from(
    [
        "<emotion",
        "</emotion>",
        "</emotion",
        ">",
        "<",
        "/>",
        " ",
        "text",
        "&lt;",
        "&amp;",
        "&",
        "&quot;",
        ";",
        ' name="happy"',
        " name='joy'",
        ' mix="happy:0.6,sad:0.4"',
        ' adv="0,0.5,-1"',
        ' intensity="1.5"',
        ' intensity="3"',
        ' mix="happy:-1"',
        ' name=""',
        ' nme="x"',
        '"',
        "'",
        "=",
        "<b>",
        "<emotional>",
        "<prosody",
        "</prosody>",
        "</prosody",
        ' rate="0.8"',
        " rate='2'",
        ' rate="nan"',
        ' rate="5"',
        ' rate="0"',
        ' rate=""',
        ' rate="fast"',
        ' rat="1"',
        "<Prosody",
    ]
)


def _fails_only_with_emotts_error(call, *args) -> None:
    # Any other exception escapes and fails the test.
    with contextlib.suppress(EmottsError):
        call(*args)


@settings(max_examples=300)
@given(st.text())
def test_parse_emotion_arbitrary_text(text: str) -> None:
    _fails_only_with_emotts_error(parse_emotion, text)
    _fails_only_with_emotts_error(lambda adv: parse_emotion(None, adv=adv), text)
    _fails_only_with_emotts_error(EmotionSpec.mix, text)


@settings(max_examples=300)
@given(st.lists(emotion_pieces, max_size=12).map("".join))
def test_parse_emotion_near_valid_text(text: str) -> None:
    _fails_only_with_emotts_error(parse_emotion, text)


@settings(max_examples=300)
@given(st.text())
def test_parse_markup_arbitrary_text(text: str) -> None:
    _fails_only_with_emotts_error(parse_markup, text)


@settings(max_examples=300)
@given(st.lists(markup_pieces, max_size=14).map("".join))
def test_parse_markup_near_valid_text(text: str) -> None:
    _fails_only_with_emotts_error(parse_markup, text)


@given(specs)
def test_spec_round_trips(spec: EmotionSpec) -> None:
    assert parse_emotion(str(spec)) == spec
    assert EmotionSpec.from_dict(spec.to_dict()) == spec
    if spec.weights is not None:
        assert abs(sum(weight for _, weight in spec.weights) - 1.0) < 1e-12


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("<>/&;=\"' prosdyemtinaPr0123456789.-"), max_size=40))
def test_parse_markup_tag_alphabet_text(text: str) -> None:
    _fails_only_with_emotts_error(parse_markup, text)


rates = st.floats(min_value=SPEED_RANGE[0], max_value=SPEED_RANGE[1])

# A markup document: a leaf is plain text, a node is (emotion spec or prosody rate, children).
documents = st.recursive(
    st.text(max_size=6),
    lambda children: st.tuples(st.one_of(specs, rates), st.lists(children, max_size=3)),
    max_leaves=8,
)


def _render(node) -> str:
    if isinstance(node, str):
        return escape(node)
    value, children = node
    inner = "".join(_render(child) for child in children)
    if isinstance(value, float):
        return f"{prosody_tag(value)}{inner}</prosody>"
    return f"{emotion_tag(value)}{inner}</emotion>"


def _expected(node, emotion=None, rate=1.0) -> list[tuple[str, EmotionSpec | None, float]]:
    if isinstance(node, str):
        return [(char, emotion, rate) for char in node]
    value, children = node
    if isinstance(value, float):
        rate *= value
    else:
        emotion = value
    return [item for child in children for item in _expected(child, emotion, rate)]


@given(st.lists(documents, max_size=3))
def test_markup_round_trips_with_offsets(nodes: list) -> None:
    source = "".join(_render(node) for node in nodes)
    segments = parse_markup(source)
    parsed = [(char, s.emotion, s.rate) for s in segments for char in s.text]
    assert parsed == [item for node in nodes for item in _expected(node)]
    for segment in segments:
        assert segment.text and segment.start == segment.offsets[0]
        for index, char in enumerate(segment.text):
            begin, end = segment.original_span(index, index + 1)
            assert source[begin:end] == escape(char)
