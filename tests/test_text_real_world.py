"""Ordinary text from chat, subtitles and files: read or refused with a clear message.

`<3` and `a < b` are text, subtitle formatting tags are dropped with a warning, emoji are
left silent with a warning naming them, bytes that are not UTF-8 are refused with their
offset, and a duration too short for the phonemes is refused with the minimum.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

from emotts.backends.torch_voice import Voice
from emotts.cli import main
from emotts.emotion.spec import EmotionSpec
from emotts.errors import ControlError, MarkupError, TextError, TextWarning
from emotts.models.untrained import make_untrained_voice
from emotts.text.frontend import TextFrontend
from emotts.text.symbols import SymbolTable

NEUTRAL = EmotionSpec.neutral()


@pytest.fixture(scope="module")
def frontend() -> TextFrontend:
    return TextFrontend(SymbolTable.default())


def read(frontend: TextFrontend, text: str) -> tuple[list[str], str, list[str]]:
    """Words, the phonemes of all sentences, and the TextWarning messages."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sentences = frontend.process(text, NEUTRAL)
    found = [str(w.message) for w in caught if issubclass(w.category, TextWarning)]
    words = [w.text for s in sentences for w in s.words]
    return words, " ".join("".join(s.phonemes) for s in sentences), found


def spoken(frontend: TextFrontend, text: str) -> str:
    """The phonemes of ``text`` said as plain words (no symbols), for comparison."""
    return read(frontend, text)[1]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("if a < b then", "if a less than b then"),
        ("x<3 here", "x less than three here"),
        ("5 > 3", "five greater than three"),
        ("I <3 you", "I heart you"),
        ("<3", "heart"),
        ("a &lt; b", "a less than b"),
    ],
)
def test_less_than_and_hearts_are_text(frontend, text: str, said: str) -> None:
    words, phonemes, found = read(frontend, text)
    assert phonemes == spoken(frontend, said)
    assert found == []


@pytest.mark.parametrize(
    ("text", "plain", "tags"),
    [
        ("<i>Hello</i> there", "Hello there", ["'<i>' at position 0", "'</i>' at position 8"]),
        ('<font color="#ff0">Run</font>!', "Run!", ["'<font color=\"#ff0\">' at position 0"]),
        ("<b>Bold</b> and <u>under</u>", "Bold and under", ["'<u>' at position 16"]),
        ("Line<br/>break", "Line break", ["'<br/>' at position 4"]),
    ],
)
def test_subtitle_formatting_tags_are_dropped_with_a_warning(frontend, text, plain, tags):
    words, phonemes, found = read(frontend, text)
    assert phonemes == spoken(frontend, plain)
    assert len(found) == 1 and "formatting tags dropped" in found[0]
    for tag in tags:
        assert tag in found[0]


def test_emotts_markup_and_ssml_work_as_before(frontend) -> None:
    (sentence,) = frontend.process('<emotion name="happy">Yes</emotion> <i>no</i>', NEUTRAL)
    assert sentence.emotions[1] == EmotionSpec.label("happy")
    assert sentence.words[1].start_char == 39  # offsets index the original text
    with pytest.raises(MarkupError, match="unknown tag '<blink'"):
        frontend.process("a <blink>x</blink>", NEUTRAL)
    with pytest.raises(MarkupError, match="never closed"):
        frontend.process('<emotion name="happy">open', NEUTRAL)
    ssml = frontend.process('<speak>Hi <break time="200ms"/> there</speak>', NEUTRAL)
    assert [w.text for w in ssml[0].words] == ["Hi", "there"]


@pytest.mark.parametrize(
    ("text", "named", "positions"),
    [
        ("I love it 😀!", ["GRINNING FACE"], [10]),
        ("thumbs 👍🏽 up", ["THUMBS UP SIGN"], [7]),
        ("family 👨\u200d👩\u200d👧 here", ["MAN", "WOMAN", "GIRL"], [7]),
        ("hello ★ world ★", ["BLACK STAR"], [6, 14]),
    ],
)
def test_emoji_are_left_silent_with_a_warning(frontend, text, named, positions) -> None:
    words, phonemes, found = read(frontend, text)
    assert len(found) == 1 and found[0].startswith("left silent")
    for name in named:
        assert name in found[0]
    for position in positions:
        assert str(position) in found[0]
    plain = "".join(ch for ch in text if ch.isascii())
    assert phonemes == spoken(frontend, plain)


def test_text_of_emoji_alone_is_refused(frontend) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TextWarning)
        with pytest.raises(TextError, match="no words"):
            frontend.process("😀 🎉", NEUTRAL)


def test_other_scripts_are_still_refused(frontend) -> None:
    with pytest.raises(TextError, match="position 6"):
        frontend.process("Greek Ω here", NEUTRAL)


def _cli(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "emotts", *args], input=stdin, capture_output=True, timeout=120
    )


def test_non_utf8_stdin_and_file_are_refused_with_the_offset(tmp_path) -> None:
    result = _cli(["synth", "-o", str(tmp_path / "a.wav")], stdin="café".encode("latin-1"))
    assert result.returncode == 2
    message = result.stderr.decode()
    assert "stdin is not UTF-8" in message and "byte offset 3" in message and "0xe9" in message
    text_file = tmp_path / "t.txt"
    text_file.write_bytes(b"good text \xff\xfe then")
    assert main(["synth", "-i", str(text_file), "-o", str(tmp_path / "b.wav")]) == 2
    assert not (tmp_path / "a.wav").exists() and not (tmp_path / "b.wav").exists()


def test_non_utf8_file_message(tmp_path, capsys) -> None:
    text_file = tmp_path / "t.txt"
    text_file.write_bytes(b"good text \xff\xfe then")
    assert main(["synth", "-i", str(text_file), "-o", str(tmp_path / "b.wav")]) == 2
    err = capsys.readouterr().err
    assert f"--input-file {text_file} is not UTF-8" in err
    assert "byte 0xff at byte offset 10" in err


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return make_untrained_voice(
        tmp_path_factory.mktemp("voice"), "tiny", frames_per_phoneme=4.0, vocoder="griffinlim"
    )


def test_duration_shorter_than_the_phonemes_is_refused(tiny_dir, tmp_path, capsys) -> None:
    tiny = Voice.load(tiny_dir)
    text = "one two three four"
    (sentence,) = tiny.frontend.process(text, NEUTRAL)
    least = len(sentence.phoneme_ids) * tiny.frame_seconds
    with pytest.raises(ControlError, match=f"minimum is {least:.3f} s") as error:
        tiny.synthesize(text, duration=0.01)
    assert f"{len(sentence.phoneme_ids)} phonemes" in str(error.value)
    # The minimum itself is accepted, and met exactly.
    audio = tiny.synthesize(text, duration=round(least, 3) + 0.001)
    assert audio.duration == pytest.approx(round(least, 3) + 0.001, abs=tiny.frame_seconds / 2)
    out = tmp_path / "x.wav"
    code = main(["synth", "-v", str(tiny_dir), "-t", text, "--duration", "0.01", "-o", str(out)])
    assert code == 2
    assert "too short" in capsys.readouterr().err
    assert not out.exists()
