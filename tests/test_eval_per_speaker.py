"""`emotts eval --speaker`: per-speaker grids of a tiny multi-speaker voice, their cache,
reference rows, the issue-14 bar table and the model-card script.

The voice is a real (untrained, tiny, Griffin-Lim) multi-speaker voice synthesized through
the CLI; Whisper and DNSMOS are replaced by a stand-in that measures the audio (so figures
differ between speakers), and the speaker encoder by a log-spectrum embedding: neither is
what is tested here, and both would cost minutes on this CPU.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from emotts.cli import main
from emotts.errors import ConfigError
from emotts.eval import evaluate
from emotts.eval.item_cache import EMBEDDING_KEY
from emotts.eval.manifest import ReferenceRow
from emotts.eval.per_speaker import parse_speaker_args, references_for, resolve_speakers
from emotts.eval.speaker import cosine
from emotts.eval.speaker_bars import (
    BARS,
    MARGIN_BAR,
    speaker_figures,
    speaker_table,
    table_markdown,
)
from emotts.models.untrained import make_untrained_voice

SPEAKERS = ("ann", "bob")
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "model_card_table.py"


def spectrum_embedding(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mean log magnitude in 24 bands: a cheap stand-in for a speaker embedding."""
    frames = np.lib.stride_tricks.sliding_window_view(samples, 512)[::256]
    spectrum = np.log1p(np.abs(np.fft.rfft(frames, axis=1))).mean(axis=0)
    return np.array([band.mean() for band in np.array_split(spectrum, 24)])


def measured_score(judges, samples, sample_rate, text):
    """Perfect transcripts; a DNSMOS OVRL that follows the audio's level."""
    ovrl = 2.0 + 20.0 * float(np.sqrt(np.mean(np.square(samples))))
    return {
        "transcript": text,
        "word_errors": 0,
        "words": len(text.split()),
        "char_errors": 0,
        "chars": len(text),
        "wer": 0.0,
        "cer": 0.0,
        "dnsmos": {"sig": ovrl, "bak": ovrl, "ovrl": ovrl, "p808": ovrl},
    }


@pytest.fixture(scope="module")
def voice(tmp_path_factory) -> Path:
    return make_untrained_voice(
        tmp_path_factory.mktemp("spk_voice") / "voice",
        "tiny",
        frames_per_phoneme=3.0,
        speakers=SPEAKERS,
        vocoder="griffinlim",
    )


@pytest.fixture
def calls(monkeypatch) -> list:
    """Judges stubbed as described above; returns the speakers of every synthesize call."""
    judges = SimpleNamespace(
        whisper=None, speaker=SimpleNamespace(embed=spectrum_embedding), emotion=None
    )
    monkeypatch.setattr(evaluate.Judges, "load", classmethod(lambda cls, path: judges))
    monkeypatch.setattr(evaluate, "score_audio", measured_score)
    monkeypatch.setattr(evaluate, "judge_say_as", lambda *a, **k: [])
    seen: list = []
    load = evaluate.load_voice

    def recording_load(path, vocoder=None):
        loaded = load(path, vocoder)
        synthesize = loaded.synthesize

        def spy(text, **kwargs):
            seen.append(kwargs.get("speaker"))
            return synthesize(text, **kwargs)

        loaded.synthesize = spy
        return loaded

    monkeypatch.setattr(evaluate, "load_voice", recording_load)
    return seen


def _sentences(tmp_path: Path) -> Path:
    path = tmp_path / "s.txt"
    path.write_text("Go now.\nSit down.\n")
    return path


def _eval(voice: Path, tmp_path: Path, out: Path, *extra: str) -> int:
    args = ["eval", "--voice", str(voice), "--sentences", str(_sentences(tmp_path))]
    return main([*args, "--judge", "none", "--out", str(out), "--quick", *extra])


def test_quick_grid_for_every_speaker_end_to_end(voice, tmp_path, calls):
    out = tmp_path / "out"
    assert _eval(voice, tmp_path, out, "--speaker", "all") == 0
    report = json.loads((out / "report.json").read_text())
    section = report["per_speaker"]
    assert section["speakers"] == list(SPEAKERS) == report["meta"]["speakers"]
    # Every item was rendered once per speaker, by that speaker, into its own folder.
    ids = {
        speaker: [r["id"] for r in report["items"] if r["speaker"] == speaker]
        for speaker in SPEAKERS
    }
    assert [i.split("/", 1)[1] for i in ids["ann"]] == [i.split("/", 1)[1] for i in ids["bob"]]
    assert all(i.startswith("ann/") for i in ids["ann"])
    assert set(calls) == set(SPEAKERS) and calls.count("ann") == calls.count("bob")
    assert (out / "audio" / "bob" / "s00-neutral-i1.wav").is_file()
    # Speakers sound different, so their figures differ; each block is its own speaker's.
    ovrl = section["table"]["rows"]
    for speaker in SPEAKERS:
        mine = [r["dnsmos"]["ovrl"] for r in report["items"] if r["speaker"] == speaker]
        assert ovrl[speaker]["cells"]["dnsmos_ovrl"]["value"] == pytest.approx(np.mean(mine))
        assert section["summaries"][speaker]["intelligibility"]["overall"]["n"] == len(mine)
    assert (
        ovrl["ann"]["cells"]["dnsmos_ovrl"]["value"] != ovrl["bob"]["cells"]["dnsmos_ovrl"]["value"]
    )
    # Duration items are timed against each speaker's own natural length.
    for speaker in SPEAKERS:
        assert section["summaries"][speaker]["timing"]["max_abs_error_s"] < 0.05
    # speaker_to_neutral compares with the same speaker's neutral rendering, never another's.
    cached = {r["id"]: r for r in map(json.loads, (out / "items.jsonl").read_text().splitlines())}
    happy = next(r for r in report["items"] if r["id"] == "bob/s00-happy-i1")
    own, other = cached["bob/s00-neutral-i1"], cached["ann/s00-neutral-i1"]
    emb = np.asarray(cached["bob/s00-happy-i1"][EMBEDDING_KEY])
    assert happy["speaker_to_neutral"] == pytest.approx(cosine(emb, np.asarray(own[EMBEDDING_KEY])))
    assert happy["speaker_to_neutral"] != pytest.approx(
        cosine(emb, np.asarray(other[EMBEDDING_KEY]))
    )
    # Distinctness from the grid's two neutral sentences per speaker; no judge: n/a cells.
    distinct = section["distinctness"]
    assert distinct["n_per_speaker"] == {"ann": 2, "bob": 2}
    assert section["table"]["margin"]["value"] == pytest.approx(distinct["margin"])
    assert set(section["table"]["bars"]) == set(BARS)
    assert ovrl["ann"]["cells"]["accuracy_at_1"] == {"value": None, "pass": None}
    assert not ovrl["ann"]["all_pass"]
    markdown = (out / "report.md").read_text()
    assert "## Per-speaker bars (issue 14)" in markdown and "## speaker bob" in markdown
    assert "say-as cases are read by the voice's default speaker only" in markdown
    assert (out / "speaker_bars.png").stat().st_size > 5000


def test_speakers_never_share_cached_items_and_runs_resume(voice, tmp_path, calls):
    out = tmp_path / "out"
    only = ("--only", "duration")
    assert _eval(voice, tmp_path, out, "--speaker", "ann", *only) == 0
    rendered = len(calls)
    assert set(calls) == {"ann"} and rendered > 0
    # Adding bob renders bob's items only; ann's come from the cache.
    calls.clear()
    assert _eval(voice, tmp_path, out, "--speaker", "ann", "--speaker", "bob", *only) == 0
    assert calls == ["bob"] * rendered
    calls.clear()
    assert _eval(voice, tmp_path, out, "--speaker", "bob,ann", *only) == 0
    assert calls == []
    report = json.loads((out / "report.json").read_text())
    # No neutral label renderings, no distinctness pairs: said, not faked.
    assert report["per_speaker"]["distinctness"] is None
    assert any("fewer than 2 neutral" in n for n in report["per_speaker"]["notes"])


def _manifest(tmp_path: Path, speakers: list[str | None]) -> Path:
    """A reference manifest of one short tone recording per entry of ``speakers``."""
    import soundfile as sf

    rate = 22050
    t = np.arange(rate // 2) / rate
    lines = []
    for k, speaker in enumerate(speakers):
        sf.write(tmp_path / f"r{k}.wav", 0.1 * np.sin(2 * np.pi * (150 + 40 * k) * t), rate)
        row = {"id": f"r{k}", "audio": f"r{k}.wav", "text": "Go now.", "emotion": "happy"}
        row |= {"split": "test"} | ({} if speaker is None else {"speaker": speaker})
        lines.append(json.dumps(row))
    path = tmp_path / "manifest.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_reference_items_use_each_speakers_own_rows(voice, tmp_path, calls):
    manifest = _manifest(tmp_path, ["ann", "bob", "ann", "cy"])
    only = ("--only", "reference", "--reference", str(manifest))
    assert _eval(voice, tmp_path, tmp_path / "ref", "--speaker", "all", *only) == 0
    report = json.loads((tmp_path / "ref" / "report.json").read_text())
    assert [r["id"] for r in report["items"]] == ["ann/ref-r0", "ann/ref-r2", "bob/ref-r1"]
    assert calls == ["ann", "ann", "bob"]
    summaries = report["per_speaker"]["summaries"]
    assert summaries["ann"]["reference"]["n"] == 2 and summaries["bob"]["reference"]["n"] == 1
    # Without a speaker column nobody's recordings are known: skipped, with a note each.
    calls.clear()
    manifest = _manifest(tmp_path, [None, None])
    out = tmp_path / "ref_nospk"
    assert (
        _eval(
            voice,
            tmp_path,
            out,
            "--speaker",
            "all",
            "--only",
            "reference",
            "--reference",
            str(manifest),
        )
        == 0
    )
    report = json.loads((out / "report.json").read_text())
    assert report["items"] == [] and calls == []
    notes = report["per_speaker"]["notes"]
    assert sum("no speaker column" in note for note in notes) == len(SPEAKERS)


def test_plain_run_of_a_multi_speaker_voice_is_unchanged(voice, tmp_path, calls):
    out = tmp_path / "plain"
    assert _eval(voice, tmp_path, out, "--only", "duration") == 0
    report = json.loads((out / "report.json").read_text())
    assert "per_speaker" not in report and "speakers" not in report["meta"]
    assert all("speaker" not in r and "/" not in r["id"] for r in report["items"])
    assert set(calls) == {None}


def test_unknown_speaker_names_the_voice_speakers(voice, tmp_path, calls, capsys):
    assert _eval(voice, tmp_path, tmp_path / "o", "--speaker", "ann,zed") == 2
    assert "zed not a speaker of" in (err := capsys.readouterr().err) and "ann, bob" in err
    assert calls == []


def test_speaker_arguments():
    assert parse_speaker_args(["ann", "bob,cy", "ann"]) == ("ann", "bob", "cy")
    assert parse_speaker_args(None) is None
    with pytest.raises(ConfigError, match="empty name"):
        parse_speaker_args(["ann,"])
    assert resolve_speakers(("all",), ["a", "b"], "v") == ["a", "b"]
    assert resolve_speakers(("b", "all"), ["a", "b"], "v") == ["b", "a"]
    # A one-speaker voice has nothing to split: the plain run.
    assert resolve_speakers(("all",), ["solo"], "v") is None
    assert resolve_speakers(("solo",), ["solo"], "v") is None
    with pytest.raises(ConfigError, match="its speakers: solo"):
        resolve_speakers(("bob",), ["solo"], "v")
    with pytest.raises(ConfigError, match="cannot name a folder"):
        resolve_speakers(("../x",), ["../x", "b"], "v")


def _row(uid: str, speaker: str | None) -> ReferenceRow:
    return ReferenceRow(uid, Path(f"{uid}.wav"), "Text.", speaker, "happy", None, 1.0, "test")


def test_reference_rows_are_each_speakers_own():
    rows = [_row("r1", "ann"), _row("r2", "bob"), _row("r3", "ann")]
    assert [r.id for r in references_for("ann", rows)[0]] == ["r1", "r3"]
    assert references_for("ann", rows)[1] is None
    skipped, note = references_for("cy", rows)
    assert skipped == [] and "no rows of cy" in note
    skipped, note = references_for("ann", [_row("r1", None)])
    assert skipped == [] and "no speaker column" in note
    assert references_for("ann", []) == ([], None)


def _figures(**overrides) -> dict:
    good = {
        "wer_neutral": 0.05,
        "dnsmos_ovrl": 3.0,
        "accuracy_at_1": 0.66,
        "valence_r": 0.5,
        "similarity_to_neutral": 0.8,
        "distinct": 0.01,
    }
    return good | overrides


def test_bar_table_pass_fail_against_the_bars():
    distinct = {
        "margin": 0.2,
        "mean_within": 0.9,
        "mean_cross": 0.7,
        "closest_pair": ["a", "b"],
    }
    figures = {
        "a": _figures(),  # every figure exactly at its bar: all pass
        "b": _figures(wer_neutral=0.051, similarity_to_neutral=0.79, distinct=0.0),
        "c": _figures(valence_r=None),
    }
    table = speaker_table(figures, distinct)
    assert list(table["bars"]) == list(BARS)
    a, b, c = (table["rows"][s] for s in "abc")
    assert a["all_pass"] and all(cell["pass"] for cell in a["cells"].values())
    failed = {col for col, cell in b["cells"].items() if not cell["pass"]}
    assert failed == {"wer_neutral", "similarity_to_neutral", "distinct"} and not b["all_pass"]
    assert c["cells"]["valence_r"] == {"value": None, "pass": None} and not c["all_pass"]
    assert table["margin"]["pass"] and table["margin"]["bar"] == MARGIN_BAR
    assert not speaker_table(figures, distinct | {"margin": MARGIN_BAR - 0.01})["margin"]["pass"]
    markdown = table_markdown(table)
    assert "| WER, neutral (<= 0.05) |" in markdown.splitlines()[0]
    assert "0.051 **fail**" in markdown and "n/a" in markdown and "+0.200" in markdown
    assert speaker_table(figures, None)["margin"]["pass"] is None


def test_figures_from_records_and_summary():
    def label(text, name, intensity, errors, similarity=None):
        row = {"kind": "label", "text": text, "label": name, "intensity": intensity}
        row |= {"word_errors": errors, "words": 10}
        return row | ({} if similarity is None else {"speaker_to_neutral": similarity})

    records = [
        label("x", "neutral", 1.0, 1),
        label("y", "neutral", 1.0, 0),
        label("x", "happy", 0.5, 5, 0.9),
        label("x", "happy", 1.0, 5, 0.7),
        label("x", "sad", 1.0, 5, 0.85),
        label("x", "sad", 0.0, 5, 0.1),  # intensity 0 is neutral by definition: left out
        {"kind": "duration", "label": "neutral", "intensity": 1.0, "word_errors": 9, "words": 9},
    ]
    summary = {
        "quality": {"overall": {"ovrl": 3.2}},
        "emotion": {
            "accuracy_at_intensity_1": {"accuracy": 0.7},
            "adv_pearson": {"valence": 0.4},
        },
    }
    distinct = {"within": {"s": 0.9}, "cross": {"s": {"t": 0.6, "u": 0.75}}}
    figures = speaker_figures(records, summary, distinct, "s")
    assert figures["wer_neutral"] == pytest.approx(1 / 20) and figures["n_neutral"] == 2
    assert figures["similarity_by_label"] == {"happy": pytest.approx(0.8), "sad": 0.85}
    assert figures["similarity_to_neutral"] == pytest.approx(0.8)
    assert figures["distinct"] == pytest.approx(0.15)
    assert (figures["dnsmos_ovrl"], figures["accuracy_at_1"], figures["valence_r"]) == (
        3.2,
        0.7,
        0.4,
    )
    assert speaker_figures(records, {}, None, "s")["distinct"] is None


@pytest.fixture(scope="module")
def card_script():
    spec = importlib.util.spec_from_file_location("model_card_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_model_card_table_from_a_report(card_script, tmp_path, capsys):
    distinct = {"margin": 0.3, "mean_within": 0.9, "mean_cross": 0.6, "closest_pair": ["a", "b"]}
    table = speaker_table({"a": _figures(), "b": _figures(dnsmos_ovrl=2.5)}, distinct)
    report = {
        "meta": {"voice": "v", "grid": "full", "judge": "j", "vocoder": None},
        "per_speaker": {"table": table, "notes": ["a note"]},
    }
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    assert card_script.main([str(path)]) == 0
    printed = capsys.readouterr().out
    assert "| a |" in printed and "2.500 **fail**" in printed and "+0.300" in printed
    assert "full grid" in printed and "a note" in printed
    path.write_text(json.dumps({"meta": {}, "summary": {}}))
    with pytest.raises(ConfigError, match="no per-speaker section"):
        card_script.main([str(path)])
