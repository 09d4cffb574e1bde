"""A four-speaker voice (the cast's names) seen through every surface that picks a speaker.

Issue 14 asks that `emotts synth -s bdl`, the API's ``speaker=``, the demo's speaker list,
`emotts dub`'s cue speakers, `emotts serve`'s voice listing and `emotts emotions -v` all see the
four speakers. The voice has random weights (its audio is noise-like) but is deterministic, so
a surface reaches the right speaker exactly when its audio equals the API's rendering for that
speaker and differs from the others'.
"""

from __future__ import annotations

import io
import json

import httpx
import numpy as np
import pytest
import soundfile as sf

from emotts.backends import load_voice
from emotts.cli import main
from emotts.models.untrained import make_untrained_voice
from tests.live_server import live_server

CAST = ("slt", "clb", "bdl", "alan")
TEXT = "We walked home."


@pytest.fixture(scope="module")
def voice_dir(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("cast_voice")
    return str(
        make_untrained_voice(
            root / "voice", "tiny", frames_per_phoneme=5.0, speakers=CAST, vocoder="griffinlim"
        )
    )


@pytest.fixture(scope="module")
def rendered(voice_dir) -> dict[str, np.ndarray]:
    """The API's rendering of TEXT for each speaker, by name."""
    voice = load_voice(voice_dir)
    return {name: np.asarray(voice.synthesize(TEXT, speaker=name).samples) for name in CAST}


def _same(a: np.ndarray, b: np.ndarray, tolerance: float = 1e-4) -> bool:
    return len(a) == len(b) and float(np.max(np.abs(a - b))) < tolerance


def test_api_speakers_are_distinct_and_indices_name_the_same_speaker(voice_dir, rendered):
    voice = load_voice(voice_dir)
    assert list(voice.speakers) == list(CAST)
    for index, name in enumerate(CAST):
        again = np.asarray(voice.synthesize(TEXT, speaker=index).samples)
        assert _same(again, rendered[name]), f"speaker={index} is not {name}"
    for i, a in enumerate(CAST):
        for b in CAST[i + 1 :]:
            assert not _same(rendered[a], rendered[b], 1e-3), f"{a} and {b} sound the same"


@pytest.mark.parametrize("name", CAST)
def test_synth_cli_speaker_option_reaches_that_speaker(voice_dir, rendered, tmp_path, name):
    out = tmp_path / f"{name}.wav"
    assert main(["synth", "--voice", voice_dir, "-t", TEXT, "-s", name, "-o", str(out)]) == 0
    samples, _ = sf.read(out, dtype="float32")
    # The file is 16-bit PCM: equal to the API's samples to within quantization.
    assert _same(samples, rendered[name], 2e-4)


def test_unknown_speaker_is_refused_listing_the_four(voice_dir, tmp_path, capsys):
    code = main(
        ["synth", "--voice", voice_dir, "-t", TEXT, "-s", "zed", "-o", str(tmp_path / "x.wav")]
    )
    assert code != 0
    err = capsys.readouterr().err
    assert "zed" in err and all(name in err for name in CAST)
    assert not (tmp_path / "x.wav").exists()


def test_emotions_lists_the_voice_speakers(voice_dir, capsys):
    assert main(["emotions", "-v", voice_dir]) == 0
    assert "speakers (4): slt, clb, bdl, alan" in capsys.readouterr().out


def test_demo_speaker_list_is_the_cast(voice_dir):
    from emotts.demo.ui import voice_changed

    updates = voice_changed("", voice_dir, "torch")
    speaker_update = updates[1]
    choices = [c[0] if isinstance(c, tuple) else c for c in speaker_update["choices"]]
    assert choices == list(CAST)
    assert speaker_update["value"] == "slt"


def test_dub_cast_maps_characters_to_the_four_speakers(voice_dir, rendered, tmp_path):
    # One cue per character, 3 s apart: each renders at its natural length, untouched by fit.
    cues = tmp_path / "scene.vtt"
    lines = ["WEBVTT", ""]
    characters = ("Ann", "Bea", "Cal", "Dan")
    for index, character in enumerate(characters):
        start = 3 * index
        lines += [
            f"00:00:{start:02d}.000 --> 00:00:{start + 2:02d}.500",
            f"<v {character}>{TEXT}",
            "",
        ]
    cues.write_text("\n".join(lines), encoding="utf-8")
    cast = ",".join(f"{c}={s}" for c, s in zip(characters, CAST, strict=True))
    track, report = tmp_path / "track.wav", tmp_path / "report.json"
    args = ["dub", str(cues), "-o", str(track), "-v", voice_dir, "--cast", cast]
    assert main([*args, "--report", str(report), "--no-progress"]) == 0
    rows = json.loads(report.read_text())
    rows = rows["cues"] if isinstance(rows, dict) else rows
    assert [row["speaker"] for row in rows] == list(CAST)
    samples, rate = sf.read(track, dtype="float32")

    def likeness(start: int, reference: np.ndarray) -> float:
        # Correlation, so the track's -1 dBFS limiter (a gain on these full-scale samples)
        # does not matter; a cue rendered by another speaker correlates far less.
        piece = samples[start : start + len(reference)]
        n = min(len(piece), len(reference))
        return float(np.corrcoef(piece[:n], reference[:n])[0, 1])

    for index, name in enumerate(CAST):
        scores = {other: likeness(3 * index * rate, rendered[other]) for other in CAST}
        assert scores[name] > 0.9, f"cue {index + 1} does not match {name}: {scores}"
        assert max(v for k, v in scores.items() if k != name) < 0.5, scores


def test_server_lists_the_four_speakers_and_speaks_each(voice_dir, rendered):
    from emotts.server.app import ServerOptions, create_app
    from emotts.server.jobs import QueueLimits
    from emotts.server.speech import RequestLimits
    from emotts.server.voices import VoiceRegistry

    registry = VoiceRegistry({"cast": load_voice(voice_dir)})
    options = ServerOptions(RequestLimits(400, 30.0), QueueLimits(1, 8))
    with (
        live_server(create_app(registry, options)) as url,
        httpx.Client(base_url=url, timeout=120) as http,
    ):
        listed = {v["name"]: v for v in http.get("/v1/voices").json()["voices"]}
        assert listed["cast"]["speakers"] == list(CAST)
        for name in ("bdl", "alan"):
            body = {"input": TEXT, "speaker": name, "response_format": "wav"}
            response = http.post("/v1/audio/speech", json=body)
            assert response.status_code == 200, response.text
            samples, _ = sf.read(io.BytesIO(response.content), dtype="float32")
            assert _same(samples, rendered[name], 2e-4)
