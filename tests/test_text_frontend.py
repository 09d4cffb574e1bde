"""TextFrontend: markup -> sentences -> words -> ids, with offsets into the original text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emotts.emotion.spec import EmotionSpec
from emotts.errors import EmottsError, MarkupError, TextError
from emotts.text import SymbolTable, TextFrontend

NEUTRAL = EmotionSpec.neutral()
HAPPY = EmotionSpec.label("happy")
SAD = EmotionSpec.label("sad")


@pytest.fixture(scope="module")
def frontend() -> TextFrontend:
    return TextFrontend(SymbolTable.default(), "en-us")


def test_sentence_layout(frontend: TextFrontend) -> None:
    [sentence] = frontend.process("Hello, world!", NEUTRAL)
    assert sentence.text == "Hello, world!"
    assert "".join(sentence.phonemes) == "^həlˈoʊ, wˈɜːld!$"
    assert sentence.phoneme_ids[0] == frontend.symbols.bos_id
    assert sentence.phoneme_ids[-1] == frontend.symbols.eos_id
    assert len(sentence.phonemes) == len(sentence.phoneme_ids) == len(sentence.emotions)
    assert [w.text for w in sentence.words] == ["Hello", "world"]
    first, second = sentence.words
    # Punctuation sits next to the word, outside its range; one separator between words.
    assert sentence.phonemes[first.last_phoneme_exclusive] == ","
    assert sentence.phonemes[first.last_phoneme_exclusive + 1] == " "
    assert second.first_phoneme == first.last_phoneme_exclusive + 2


def test_several_sentences(frontend: TextFrontend) -> None:
    result = frontend.process("Dr. Smith paid $3.50. He left! Did he?", NEUTRAL)
    assert [s.text for s in result] == ["Dr. Smith paid $3.50.", "He left!", "Did he?"]


def test_word_spans_map_back_to_the_original_text(frontend: TextFrontend) -> None:
    text = 'Say <emotion name="happy">"hi" to Mr. Smith</emotion> for $5.20 &amp; 3:30 pm.'
    [sentence] = frontend.process(text, NEUTRAL)
    spans = [text[w.start_char : w.end_char] for w in sentence.words]
    assert spans == ["Say", "hi", "to", "Mr.", "Smith", "for", "$5.20", "&amp;", "3:30 pm"]
    assert [w.text for w in sentence.words][-2] == "&"
    money = sentence.words[6]
    said = "".join(sentence.phonemes[money.first_phoneme : money.last_phoneme_exclusive])
    assert said.count(" ") == 4  # "five dollars and twenty cents"


def test_emotions_switch_exactly_at_word_boundaries(frontend: TextFrontend) -> None:
    text = (
        'I am <emotion name="happy">very glad</emotion> but <emotion name="sad">sad</emotion> now.'
    )
    [sentence] = frontend.process(text, NEUTRAL)
    by_word = {}
    for word in sentence.words:
        emotions = set(sentence.emotions[word.first_phoneme : word.last_phoneme_exclusive])
        assert len(emotions) == 1
        by_word[word.text] = emotions.pop()
    assert by_word == {
        "I": NEUTRAL,
        "am": NEUTRAL,
        "very": HAPPY,
        "glad": HAPPY,
        "but": NEUTRAL,
        "sad": SAD,
        "now": NEUTRAL,
    }
    # The emotion changes only at the first phoneme of a word; bos/eos follow their word.
    changes = [
        i
        for i in range(1, len(sentence.emotions))
        if sentence.emotions[i] != sentence.emotions[i - 1]
    ]
    assert changes == [
        w.first_phoneme for w in sentence.words if w.text in ("very", "but", "sad", "now")
    ]
    assert sentence.emotions[0] == NEUTRAL and sentence.emotions[-1] == NEUTRAL


def test_prosody_rates_become_per_phoneme_duration_scales(frontend: TextFrontend) -> None:
    text = (
        'Please, <prosody rate="0.5">take <emotion name="sad">your</emotion></prosody> time '
        '<prosody rate="2"><prosody rate="2">now</prosody></prosody>.'
    )
    [sentence] = frontend.process(text, NEUTRAL)
    assert len(sentence.duration_scales) == len(sentence.phoneme_ids)
    by_word = {}
    for word in sentence.words:
        scales = set(sentence.duration_scales[word.first_phoneme : word.last_phoneme_exclusive])
        assert len(scales) == 1
        by_word[word.text] = scales.pop()
    assert by_word == {"Please": 1.0, "take": 2.0, "your": 2.0, "time": 1.0, "now": 0.25}
    # Structural symbols follow their word as emotions do: bos and the comma take "Please",
    # a separator the word before it, the final "." and eos "now".
    please, take, your, time, now = sentence.words
    assert sentence.phonemes[please.last_phoneme_exclusive] == ","
    assert sentence.duration_scales[: take.first_phoneme] == [1.0] * take.first_phoneme
    assert sentence.duration_scales[your.last_phoneme_exclusive] == 2.0  # separator
    assert sentence.duration_scales[now.first_phoneme - 1] == 1.0  # separator after "time"
    assert sentence.duration_scales[now.last_phoneme_exclusive :] == [0.25, 0.25]
    assert sentence.emotions[your.first_phoneme] == SAD
    assert sentence.emotions[take.first_phoneme] == NEUTRAL


def test_duration_scales_without_markup_are_one(frontend: TextFrontend) -> None:
    for sentence in frontend.process("One. Two, three!", NEUTRAL):
        assert sentence.duration_scales == [1.0] * len(sentence.phoneme_ids)


def test_prosody_span_across_sentences(frontend: TextFrontend) -> None:
    text = 'One. <prosody rate="0.8">Two. Three</prosody> four.'
    result = frontend.process(text, NEUTRAL)
    assert [set(s.duration_scales) for s in result] == [{1.0}, {1 / 0.8}, {1 / 0.8, 1.0}]


def test_default_emotion_fills_unmarked_text(frontend: TextFrontend) -> None:
    [sentence] = frontend.process("Plain text.", SAD)
    assert set(sentence.emotions) == {SAD}


def test_emotion_span_across_sentences(frontend: TextFrontend) -> None:
    text = 'One. <emotion name="happy">Two. Three</emotion> four.'
    result = frontend.process(text, NEUTRAL)
    assert [set(s.emotions) for s in result] == [{NEUTRAL}, {HAPPY}, {HAPPY, NEUTRAL}]


@pytest.mark.parametrize(
    "text", ["", "   ", '<emotion name="happy"></emotion>', '<emotion name="sad"> </emotion>']
)
def test_empty_text(frontend: TextFrontend, text: str) -> None:
    with pytest.raises(TextError, match="empty"):
        frontend.process(text, NEUTRAL)


def test_only_punctuation(frontend: TextFrontend) -> None:
    with pytest.raises(TextError, match="no words"):
        frontend.process("... !", NEUTRAL)


@pytest.mark.parametrize(
    ("text", "character", "position"),
    [
        ("Bell\x07 rings", "\\x07", 4),
        ('<emotion name="happy">Hi 中文</emotion>', "中", 25),
        ("Greek Ω here", "Ω", 6),
        ("a_b", "_", 1),
    ],
)
def test_unrenderable_characters(
    frontend: TextFrontend, text: str, character: str, position: int
) -> None:
    with pytest.raises(TextError) as error:
        frontend.process(text, NEUTRAL)
    message = str(error.value)
    assert character in message
    assert f"position {position}" in message


def test_other_script_for_a_non_english_voice() -> None:
    german = TextFrontend(SymbolTable.default(), "de")
    assert german.process("Zwölf Boxkämpfer.", NEUTRAL)[0].words[0].text == "Zwölf"
    with pytest.raises(TextError, match="position 6.*CYRILLIC"):
        german.process("Hallo Привет", NEUTRAL)


def test_unknown_language() -> None:
    with pytest.raises(TextError, match="unknown language"):
        TextFrontend(SymbolTable.default(), "klingon")


def test_markup_errors_pass_through(frontend: TextFrontend) -> None:
    with pytest.raises(MarkupError):
        frontend.process('<emotion name="happy">unclosed', NEUTRAL)


def test_symbol_missing_from_a_custom_table() -> None:
    tiny = SymbolTable(["_", "^", "$", " ", "a"])
    with pytest.raises(TextError, match="word 'hello' at position 0"):
        TextFrontend(tiny).process("hello", NEUTRAL)


_FRAGMENTS = st.sampled_from(
    ["Hello", " ", ".", "...", "?!", "$5.20", "3:30 pm", "1st", "&", "&amp;", "<", "—", '"', "Dr.",
     '<emotion name="happy">', "</emotion>", '<prosody rate="0.5">', "</prosody>", "\n\n", "é", "🙂", "中", "\x00", "'", "(", ")", "-", "5"]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=40), st.lists(_FRAGMENTS, max_size=12).map("".join)))
def test_arbitrary_text_raises_only_emotts_errors(frontend: TextFrontend, text: str) -> None:
    try:
        result = frontend.process(text, NEUTRAL)
    except EmottsError:
        return
    for sentence in result:
        assert len(sentence.phoneme_ids) == len(sentence.phonemes) == len(sentence.emotions)
        assert len(sentence.duration_scales) == len(sentence.phoneme_ids)
        assert all(scale >= 1.0 for scale in sentence.duration_scales)  # only rate="0.5" here
        for word in sentence.words:
            assert 0 <= word.start_char < word.end_char <= len(text)
            assert 0 < word.first_phoneme < word.last_phoneme_exclusive < len(sentence.phoneme_ids)
