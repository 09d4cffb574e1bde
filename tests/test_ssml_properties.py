"""Property test: random SSML trees, well-formed or not, only ever raise `EmottsError`.

The trees mix supported and unsupported elements, valid and garbage attribute values, text
with entities and odd characters, and sometimes break the XML itself; both the reader and the
whole front-end (phonemes, sentences, breaks) must either succeed or say what was wrong.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emotts.emotion.spec import EmotionSpec
from emotts.errors import EmottsError
from emotts.text import SymbolTable, TextFrontend
from emotts.text.ssml import EMOTTS_NAMESPACE, PitchReference

ATTRIBUTE_VALUES = {
    "rate": ["slow", "x-fast", "80%", "+20%", "-90%", "1.5", "0", "fast!", "9"],
    "pitch": ["+4st", "-30st", "high", "+10%", "150Hz", "-500Hz", "4st", "x"],
    "range": ["x-low", "+50%", "+2st", "40Hz", "-300%", "1"],
    "volume": ["-6dB", "+3dB", "soft", "silent", "50%", "6dB", "200", "+99dB"],
    "time": ["500ms", "1.5s", "0s", "-1s", "70s", "fast"],
    "strength": ["none", "x-strong", "medium", "big"],
    "level": ["strong", "reduced", "none", "max"],
    "interpret-as": ["characters", "cardinal", "ordinal", "digits", "date", "time",
                     "telephone", "currency"],
    "format": ["mdy", "ymd", "dm", "qq"],
    "alias": ["World Wide Web", "2 cats", "", "..."],
    "ph": ["təˈmɑːtoʊ", "ˈhaɪ", "", "☃"],
    "alphabet": ["ipa", "x-sampa"],
    "name": ["happy", "sad", "glad", "m1"],
    "intensity": ["1.5", "3", "x"],
    "mix": ["happy:0.6,sad:0.4", "happy:-1"],
    "adv": ["0.1,0.2,0.3", "2,0,0"],
    "xml:lang": ["en-US", "fr-fr", "de", "tlh"],
    "contour": ["(0%,+20Hz)"],
}  # fmt: skip
ELEMENTS = {
    "p": ["xml:lang"],
    "s": ["xml:lang"],
    "prosody": ["rate", "pitch", "range", "volume", "contour"],
    "emphasis": ["level"],
    "say-as": ["interpret-as", "format"],
    "sub": ["alias"],
    "phoneme": ["ph", "alphabet"],
    "lang": ["xml:lang"],
    "emotts:emotion": ["name", "intensity", "mix", "adv"],
    "voice": ["name"],
    "emotion": ["name"],
}
EMPTY_ELEMENTS = {"break": ["time", "strength"], "mark": ["name"]}
TEXT = st.sampled_from(
    ["Hello", "world", " ", "12/25/2024", "3:30pm", "555-0123", "42", "&amp;", "&lt;", "&#233;",
     "Dr. Smith", "...", "!", "café", "日本", "&bogus;", "<", "AT&T", "\u0007", "x"]
)  # fmt: skip


def _attributes(draw, names: list[str]) -> str:
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    parts = [f'{name}="{draw(st.sampled_from(ATTRIBUTE_VALUES[name]))}"' for name in chosen]
    return "".join(" " + part for part in parts)


@st.composite
def _node(draw, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["text", "text", "element", "empty"]))
    if kind == "text" or depth > 3:
        return draw(TEXT)
    if kind == "empty":
        name = draw(st.sampled_from(sorted(EMPTY_ELEMENTS)))
        return f"<{name}{_attributes(draw, EMPTY_ELEMENTS[name])}/>"
    name = draw(st.sampled_from(sorted(ELEMENTS)))
    children = draw(st.lists(_node(depth + 1), max_size=3))
    return f"<{name}{_attributes(draw, ELEMENTS[name])}>{''.join(children)}</{name}>"


@st.composite
def documents(draw) -> str:
    body = "".join(draw(st.lists(_node(), min_size=1, max_size=4)))
    document = f'<speak xmlns:emotts="{EMOTTS_NAMESPACE}">{body}</speak>'
    if draw(st.booleans()) and draw(st.booleans()):  # sometimes not well-formed at all
        cut = draw(st.integers(0, len(document)))
        document = document[:cut] + draw(st.sampled_from(["<", "</p>", "&", "<!DOCTYPE x>", ""]))
    return document


@pytest.fixture(scope="module")
def frontend() -> TextFrontend:
    return TextFrontend(SymbolTable.default(), "en-us", PitchReference(180.0, 3.0))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=documents(), lenient=st.booleans())
def test_only_emotts_errors_escape(frontend: TextFrontend, document: str, lenient: bool) -> None:
    try:
        sentences = frontend.process(document, EmotionSpec.neutral(), lenient=lenient)
    except EmottsError:
        return
    for sentence in sentences:
        n = len(sentence.phoneme_ids)
        assert (
            len(sentence.duration_scales)
            == len(sentence.volumes)
            == len(sentence.pitch_shifts)
            == n
        )
        assert all(0 <= event.boundary <= len(sentence.words) for event in sentence.events)
