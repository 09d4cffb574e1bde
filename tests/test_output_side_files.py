"""Side files (timings, reports, word subtitles, exports) that cannot be written: a clear error
naming the file, refused before any synthesis where the path is known up front, and no partial
file left behind (a full disk is simulated with RLIMIT_FSIZE, as in test_output_files.py).
"""

from __future__ import annotations

import json
import resource
import signal
from pathlib import Path

import pytest

from emotts.cli import main
from emotts.errors import AudioError, ConfigError
from emotts.models.untrained import make_untrained_voice
from emotts.output_files import write_side_file

SRT = "1\n00:00:00,500 --> 00:00:01,500\nHello there.\n"


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_untrained_voice(tmp_path_factory.mktemp("side") / "v", "tiny", vocoder="griffinlim")


def _synth(voice: Path, out: Path, *extra: str) -> list[str]:
    return ["synth", "-v", str(voice), "-t", "Hello there.", "-o", str(out), *extra]


@pytest.mark.parametrize(
    ("where", "needle"),
    [("missing/t.json", "does not exist"), ("folder", "it is a folder")],
)
def test_synth_refuses_an_unwritable_timings_path_before_synthesis(
    voice, tmp_path, capsys, where, needle
) -> None:
    (tmp_path / "folder").mkdir()
    out = tmp_path / "out.wav"
    assert main(_synth(voice, out, "--timings", str(tmp_path / where))) == 2
    err = capsys.readouterr().err
    assert f"cannot write --timings {str(tmp_path / where)!r}" in err and needle in err, err
    assert "Traceback" not in err
    assert not out.exists()  # refused before synthesis: no audio was written either
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]


def test_synth_refuses_a_missing_output_folder_before_writing_timings(
    voice, tmp_path, capsys
) -> None:
    timings = tmp_path / "t.json"
    assert main(_synth(voice, tmp_path / "no" / "out.wav", "--timings", str(timings))) == 2
    assert "folder" in capsys.readouterr().err
    assert not timings.exists()


def test_synth_writes_timings_atomically(voice, tmp_path) -> None:
    timings = tmp_path / "t.json"
    assert main(_synth(voice, tmp_path / "out.wav", "--timings", str(timings))) == 0
    assert json.loads(timings.read_text())["words"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wav", "t.json"]


@pytest.mark.parametrize("option", ["--timings", "--words-srt", "--report"])
def test_dub_refuses_unwritable_side_files_before_rendering(
    voice, tmp_path, capsys, option
) -> None:
    cues = tmp_path / "cues.srt"
    cues.write_text(SRT, encoding="utf-8")
    out = tmp_path / "track.wav"
    target = tmp_path / "missing" / "side.srt"
    command = ["dub", str(cues), "-o", str(out), "-v", str(voice), "--no-progress"]
    assert main([*command, option, str(target)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {option} {str(target)!r}" in err and "does not exist" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cues.srt"]


def test_dub_writes_its_side_files(voice, tmp_path) -> None:
    cues = tmp_path / "cues.srt"
    cues.write_text(SRT, encoding="utf-8")
    command = ["dub", str(cues), "-o", str(tmp_path / "track.wav"), "-v", str(voice)]
    extra = ["--timings", str(tmp_path / "t.json"), "--report", str(tmp_path / "r.json")]
    assert main([*command, "--no-progress", *extra, "--words-srt", str(tmp_path / "w.srt")]) == 0
    assert json.loads((tmp_path / "r.json").read_text())["counts"]
    assert "-->" in (tmp_path / "w.srt").read_text()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["cues.srt", "r.json", "t.json", "track.wav", "w.srt"]


def test_a_place_where_no_file_can_be_created(tmp_path) -> None:
    with pytest.raises(AudioError, match=r"cannot write --timings '/proc/emotts-test\.json'"):
        write_side_file("/proc/emotts-test.json", "{}", "--timings")


def test_disk_full_keeps_the_old_file_and_leaves_nothing_else(tmp_path) -> None:
    target = tmp_path / "report.json"
    target.write_text('{"old": true}', encoding="utf-8")
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    previous_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, previous_limit[1]))
    try:
        with pytest.raises(AudioError, match=r"report\.json'.*is the disk full"):
            write_side_file(target, json.dumps(["x" * 100] * 2000), "--report")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, previous_limit)
        signal.signal(signal.SIGXFSZ, previous_handler)
    assert json.loads(target.read_text()) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_export_to_an_unwritable_place_is_refused(tmp_path, capsys) -> None:
    voice = make_untrained_voice(tmp_path / "v", "tiny")  # an exportable vocoder
    assert main(["export", "--voice", str(voice), "--out", "/proc/emotts-export"]) == 2
    err = capsys.readouterr().err
    assert "cannot write the exported voice to /proc/emotts-export" in err, err
    assert "Traceback" not in err
    with pytest.raises(ConfigError, match="cannot write the exported voice"):
        from emotts.onnx.export import export_voice

        export_voice(voice, "/proc/emotts-export")
