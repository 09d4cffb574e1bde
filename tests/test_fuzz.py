"""Fuzzing the front door: emotion specs, markup, SSML, subtitle files and raw bytes on stdin,
through the public API and the command line (``main()`` in-process). The contract: every
input either works or raises an :class:`~emotts.errors.EmottsError` with a message (the CLI:
exit code 2, the message on stderr, no traceback); no case hangs (each has a wall-clock bound).

Generated inputs mix near-valid pieces of each grammar (so parsers get deep) with arbitrary
text and bytes. The front-end targets (spec, markup, SSML, subtitles) never synthesize audio;
the API and CLI targets synthesize short inputs with a tiny untrained voice and Griffin-Lim.

Default run: a few hundred cases in all. ``EMOTTS_FUZZ_EXAMPLES=N`` runs N cases per target
(docs/reliability.md records a run of 10,000+); ``EMOTTS_FUZZ_REPORT=file.json`` writes the
number of cases each target ran. ``EMOTTS_FUZZ_CASE_SECONDS`` is the per-case bound (20 s by
default: generous, as the CPU may be shared; a hang is forever).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import signal
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from emotts.backends import load_voice
from emotts.cli import main
from emotts.dubbing.cues import timing_problem
from emotts.dubbing.load import load_cues, parse_cues
from emotts.emotion.markup import parse_markup
from emotts.emotion.spec import EmotionSpec, parse_emotion
from emotts.errors import EmottsError
from emotts.models.untrained import make_untrained_voice
from emotts.text import SymbolTable, TextFrontend
from emotts.text.ssml import EMOTTS_NAMESPACE, PitchReference

SCALE = int(os.environ.get("EMOTTS_FUZZ_EXAMPLES", "0"))
CASE_SECONDS = float(os.environ.get("EMOTTS_FUZZ_CASE_SECONDS", "20"))
CASES: Counter[str] = Counter()


def fuzz(default: int):
    """Hypothesis settings of a target: ``default`` cases, or EMOTTS_FUZZ_EXAMPLES."""
    return settings(
        max_examples=SCALE or default,
        deadline=None,  # the wall-clock bound below is the hang check; load varies too much
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


class Hang(BaseException):  # noqa: N818 - BaseException: no `except Exception` swallows it
    """A case ran past its time bound."""


@contextlib.contextmanager
def bounded(target: str) -> Iterator[None]:
    """Count a case of ``target`` and fail it if it runs past CASE_SECONDS."""

    def expire(signum, frame):
        raise Hang(f"a {target} case ran past {CASE_SECONDS:.0f} s")

    CASES[target] += 1
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def refused_or_ok(call, *args, **kwargs):
    """``call``'s result, or None when it raised an EmottsError with a message; any other
    exception escapes (and fails the case)."""
    try:
        return call(*args, **kwargs)
    except EmottsError as error:
        assert str(error).strip(), f"{type(error).__name__} without a message"
        return None


@pytest.fixture(scope="module", autouse=True)
def report_counts() -> Iterator[None]:
    yield
    print(f"\nfuzz cases run: {dict(CASES)} (total {sum(CASES.values())})")
    report = os.environ.get("EMOTTS_FUZZ_REPORT")
    if report:
        Path(report).write_text(json.dumps({**CASES, "total": sum(CASES.values())}, indent=1))


# --- strategies ----------------------------------------------------------------------------

LABELS = ["happy", "sad", "angry", "neutral", "surprised", "HAPPY", "glad", "", "adv", "preset"]
NUMBERS = ["0", "1", "0.5", "-1", "2", "3", "1e309", "nan", "-0", ".", "1,5", "0x10", "½"]
SPEC_PIECES = st.sampled_from(
    [*LABELS, *NUMBERS, ":", ",", "=", "@", " ", "+", "(", ")", "adv=", "preset:", "\x00", "\n"]
)
specs = st.one_of(st.lists(SPEC_PIECES, max_size=10).map("".join), st.text(max_size=30))

WORDS = ["Hello", "there", "yes", "no", "12/25/2024", "3:30pm", "$5", "e-mail", "x@y.com",
         "café", "日本", "🙂", "...", "!", "?", ",", " ", "Dr.", "42", "\u200b", "\t", "'", '"']  # fmt: skip
MARKUP_PIECES = st.sampled_from(
    [*WORDS, "<emotion name='happy'>", "<emotion name=\"sad\" intensity='1.5'>", "</emotion>",
     "<emotion mix='happy:0.5,sad:0.5'>", "<emotion adv='0.5,0.1,0.9'>", "<emotion>",
     "<prosody rate='1.5'>", "<prosody pitch='+2'>", "</prosody>", "<emotion name=happy>",
     "<", ">", "&lt;", "&amp;", "&bogus;", "<break/>", "[happy]", "[laughs]"]
)  # fmt: skip
markup_text = st.one_of(st.lists(MARKUP_PIECES, max_size=12).map("".join), st.text(max_size=40))

SSML_ELEMENTS = {
    "p": ['xml:lang="en-US"', 'xml:lang="tlh"'],
    "s": [""],
    "prosody": ['rate="slow"', 'rate="150%"', 'pitch="+4st"', 'volume="-6dB"', 'rate="x"'],
    "emphasis": ['level="strong"', 'level="max"'],
    "say-as": ['interpret-as="date" format="mdy"', 'interpret-as="characters"',
               'interpret-as="telephone"', 'interpret-as="bogus"'],
    "sub": ['alias="World Wide Web"', 'alias=""'],
    "phoneme": ['ph="təˈmɑːtoʊ" alphabet="ipa"', 'ph="☃"'],
    "emotts:emotion": ['name="happy"', 'mix="happy:0.6,sad:0.4"', 'adv="2,0,0"', 'name="m1"'],
    "voice": ['name="x"'],
}  # fmt: skip
SSML_EMPTY = ['<break time="300ms"/>', '<break strength="x-strong"/>', '<break time="-1s"/>',
              '<mark name="m"/>', "<audio src='x.wav'/>"]  # fmt: skip


@st.composite
def ssml_node(draw, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["text", "text", "element", "empty"]))
    if kind == "text" or depth > 3:
        return draw(st.sampled_from(WORDS))
    if kind == "empty":
        return draw(st.sampled_from(SSML_EMPTY))
    name = draw(st.sampled_from(sorted(SSML_ELEMENTS)))
    attributes = draw(st.sampled_from(SSML_ELEMENTS[name]))
    children = "".join(draw(st.lists(ssml_node(depth + 1), max_size=3)))
    return f"<{name} {attributes}>{children}</{name}>"


@st.composite
def ssml_documents(draw) -> str:
    body = "".join(draw(st.lists(ssml_node(), min_size=1, max_size=4)))
    document = f'<speak xmlns:emotts="{EMOTTS_NAMESPACE}">{body}</speak>'
    if draw(st.integers(0, 3)) == 0:  # sometimes cut and broken
        cut = draw(st.integers(0, len(document)))
        junk = draw(st.sampled_from(["<", "</p>", "&", "<!DOCTYPE x>", "<!ENTITY a 'b'>", ""]))
        document = document[:cut] + junk
    return document


TIMES = ["00:00:00,000", "00:00:01,500", "00:00:02,000", "00:00:00.500", "0:0:1,5", "99:59:59,999",
         "00:00:03,000", "00:01.000", "00:00:01.000", "-00:00:01,000", "00:00:61,000", "x", ""]  # fmt: skip
CUE_LINES = st.one_of(
    markup_text,
    st.sampled_from(["<i>Hi</i>", "<v Alice>Hello</v>", "<v Bob>No", "{\\an8}Top", "[door slams]",
                     "<c.yellow>Hey</c>", "<00:00:01.000>word", "&nbsp;", "NOTE x", "-->"]),
)  # fmt: skip


@st.composite
def subtitle_files(draw) -> tuple[str, str]:
    fmt = draw(st.sampled_from(["srt", "vtt"]))
    blocks = []
    for number in range(1, draw(st.integers(0, 4)) + 1):
        start, end = draw(st.sampled_from(TIMES)), draw(st.sampled_from(TIMES))
        settings_ = draw(st.sampled_from(["", " align:start", " line:0%", " position:x"]))
        timing = f"{start} --> {end}{settings_ if fmt == 'vtt' else ''}"
        lines = draw(st.lists(CUE_LINES, min_size=0, max_size=2))
        header = [str(number)] if fmt == "srt" or draw(st.booleans()) else []
        blocks.append("\n".join([*header, timing, *lines]))
    text = ("WEBVTT\n\n" if fmt == "vtt" and draw(st.booleans()) else "") + "\n\n".join(blocks)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.integers(0, 4)) == 0:
        text = "\ufeff" + text
    if draw(st.integers(0, 3)) == 0:
        text += draw(st.text(max_size=30))
    return fmt, text


stdin_bytes = st.one_of(
    st.binary(max_size=60),
    markup_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    ssml_documents().map(str.encode),
    st.lists(st.sampled_from([b"Hi ", b"\xff", b"\xef\xbb\xbf", b"\x00", b"\xc3", b"\xe2\x82",
                              b"there.", b"\r\n", b"<emotion name='sad'>", b"</emotion>"]),
             max_size=8).map(b"".join),
)  # fmt: skip


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def frontend() -> TextFrontend:
    return TextFrontend(SymbolTable.default(), "en-us", PitchReference(180.0, 3.0))


@pytest.fixture(scope="module")
def tiny_voice_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("fuzz") / "tiny"
    return make_untrained_voice(directory, "tiny", vocoder="griffinlim")


@pytest.fixture(scope="module")
def tiny_voice(tiny_voice_dir: Path):
    return load_voice(tiny_voice_dir, threads=1)


# --- front end: no audio -------------------------------------------------------------------


@fuzz(150)
@given(text=specs, intensity=st.none() | st.floats(allow_nan=True), adv=st.none() | specs)
def test_emotion_specs(text: str, intensity: float | None, adv: str | None) -> None:
    with bounded("emotion spec"):
        spec = refused_or_ok(parse_emotion, text, intensity, adv)
        if spec is not None:
            assert isinstance(spec, EmotionSpec)
            # What parsed is printable and reads back as the same spec (the CLI prints it).
            assert refused_or_ok(parse_emotion, str(spec)) is not None, str(spec)


@fuzz(120)
@given(text=markup_text, default=st.sampled_from(["neutral", "happy:0.5,sad:0.5", "adv=1,0,0"]))
def test_markup_through_the_front_end(frontend: TextFrontend, text: str, default: str) -> None:
    with bounded("markup"):
        refused_or_ok(parse_markup, text)
        sentences = refused_or_ok(frontend.process, text, parse_emotion(default))
        for sentence in sentences or []:
            assert len(sentence.phoneme_ids) == len(sentence.duration_scales)


@fuzz(80)
@given(document=ssml_documents(), lenient=st.booleans())
def test_ssml_through_the_front_end(frontend: TextFrontend, document: str, lenient: bool) -> None:
    with bounded("ssml"):
        refused_or_ok(frontend.process, document, EmotionSpec.neutral(), lenient=lenient)


@fuzz(120)
@given(case=subtitle_files())
def test_subtitle_text(case: tuple[str, str]) -> None:
    fmt, text = case
    with bounded("subtitles"):
        cues = refused_or_ok(parse_cues, text, fmt)
        for cue in cues or []:
            # A cue is readable (a window the renderer accepts), or the parser or the
            # renderer's timing check says what is wrong with it.
            problem = cue.problem or timing_problem(cue)
            if problem is None:
                assert math.isfinite(cue.start) and 0 <= cue.start < cue.end, cue
            else:
                assert problem.strip()


@fuzz(60)
@given(data=st.binary(max_size=200) | subtitle_files().map(lambda c: c[1].encode("utf-8")))
def test_subtitle_file_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "cues.srt"
    path.write_bytes(data)
    with bounded("subtitle file"):
        refused_or_ok(load_cues, path)


# --- through synthesis: a tiny voice, short inputs -----------------------------------------

CONTROLS = st.fixed_dictionaries(
    {},
    optional={
        "speed": st.floats(-1, 5) | st.sampled_from([math.nan, math.inf, 0.0]),
        "duration": st.floats(-1, 6) | st.just(math.nan),
        "pitch_shift": st.floats(-30, 30),
        "energy_scale": st.floats(-1, 4),
        "speaker": st.sampled_from([0, 1, -1, "s0", "nobody", "0"]),
    },
)


@fuzz(40)
@given(
    text=st.one_of(st.lists(MARKUP_PIECES, max_size=5).map("".join), ssml_documents()),
    emotion=st.none() | specs,
    controls=CONTROLS,
)
def test_public_api_synthesize(tiny_voice, text: str, emotion: str | None, controls) -> None:
    with bounded("api synthesize"):
        audio = refused_or_ok(tiny_voice.synthesize, text, emotion, **controls)
    if audio is not None:
        assert np.isfinite(audio.samples).all() and np.abs(audio.samples).max() <= 1.0 + 1e-6
        assert audio.duration >= 0


@contextlib.contextmanager
def stdin_of(data: bytes) -> Iterator[None]:
    """``sys.stdin`` reading ``data`` as a pipe would (a text layer over bytes, not a tty)."""
    previous = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    try:
        yield
    finally:
        sys.stdin = previous


@fuzz(40)
@given(data=stdin_bytes, emotion=st.none() | specs)
def test_cli_synth_raw_stdin(tiny_voice_dir: Path, tmp_path: Path, capsys, data, emotion) -> None:
    out = tmp_path / "out.wav"
    out.unlink(missing_ok=True)
    command = ["synth", "-v", str(tiny_voice_dir), "-o", str(out), "--threads", "1"]
    if emotion is not None:
        command.append(f"--emotion={emotion}")  # one argument even when it starts with '-'
    capsys.readouterr()
    with bounded("cli stdin"), stdin_of(data):
        code = main(command)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if code == 0:
        assert sf.info(str(out)).frames > 0
    else:
        assert code == 2 and "emotts synth: error: " in err and not out.exists(), (code, err)
    assert not list(tmp_path.glob(".out.wav*"))  # no partial file either way


@fuzz(20)
@given(case=subtitle_files())
# Found by the 10,000-case run: a cue ending at 99:59:59 asked numpy for a 30 GB track.
@example(case=("srt", "1\n00:00:00,000 --> 99:59:59,999\n<i>Hi</i>"))
def test_cli_dub_subtitle_files(tiny_voice_dir: Path, tmp_path: Path, capsys, case) -> None:
    fmt, text = case
    cues, out = tmp_path / f"cues.{fmt}", tmp_path / "track.wav"
    cues.write_text(text, encoding="utf-8", errors="surrogatepass")
    out.unlink(missing_ok=True)
    capsys.readouterr()
    with bounded("cli dub"):
        code = main(["dub", str(cues), "-o", str(out), "-v", str(tiny_voice_dir), "--no-progress"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    # docs/dubbing.md: 0 all cues spoken, 1 some skipped (each named; the track is still
    # written), 2 refused as a whole with an error.
    assert code in (0, 1, 2), (code, err)
    assert out.exists() == (code != 2), (code, err)
    assert (code == 1) == ("skipped: " in err), (code, err)
    assert (code == 2) == ("emotts dub: error: " in err), (code, err)


def test_invalid_utf8_on_stdin_is_named(tiny_voice_dir: Path, tmp_path: Path, capsys) -> None:
    """Not a fuzz case: the message for bytes that are not UTF-8 says where they are."""
    out = tmp_path / "out.wav"
    with stdin_of(b"Hi \xff there."):
        assert main(["synth", "-v", str(tiny_voice_dir), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "stdin is not UTF-8 text: byte 0xff at byte offset 3" in err, err
    with stdin_of("\ufeffHi there.".encode()):  # a BOM is not spoken
        assert main(["synth", "-v", str(tiny_voice_dir), "-o", str(out)]) == 0
