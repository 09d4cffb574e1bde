"""The four-speaker synthetic corpus: every voice gets every label, the ADV part and blends;
blends mix their labels' rules; per-speaker hours; old single-voice corpora still resume."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from emotts.data.cache import build_cache, canonical_weights
from emotts.data.manifest import hours_by_speaker_and_split, read_manifest, write_manifest
from emotts.data.synthetic.plan import VOICES, SynthesisConfig, make_plan
from emotts.data.synthetic.rules import (
    blend_adv,
    blend_parameters,
    prosody_from_parameters,
    raw_parameters,
    realized_adv,
)
from emotts.emotion.labels import LABELS
from emotts.errors import ConfigError

SENTENCES = [f"Sentence number {i} was read aloud by the clerk of the court." for i in range(2000)]


@pytest.fixture(scope="module")
def sentence_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("text") / "sentences.txt"
    path.write_text("\n".join(SENTENCES) + "\n")
    return path


def _cast(out: Path, sentences: Path, **kw) -> SynthesisConfig:
    return SynthesisConfig(**{"out_dir": out, "sentences": sentences, "voices": VOICES, **kw})


def test_every_voice_gets_every_label_the_adv_part_and_blends(
    sentence_file: Path, tmp_path: Path
) -> None:
    plan = make_plan(_cast(tmp_path, sentence_file, utterances=400))
    assert len(plan) == 4 * 400 and len({u.id for u in plan}) == len(plan)
    for voice in VOICES:
        own = [u for u in plan if u.voice == voice]
        assert len(own) == 400
        assert {u.label for u in own if u.label} == set(LABELS)
        continuous = [u for u in own if u.label is None and u.blend is None]
        blends = [u for u in own if u.blend is not None]
        assert len(continuous) / 400 == pytest.approx(0.3, abs=0.06)
        assert len(blends) / 400 == pytest.approx(0.1, abs=0.04)
        assert {u.split for u in own} == {"train", "val", "test", "judge"}
    # Deterministic, and a voice's part does not depend on the rest of the cast: slt's
    # utterances are those of an slt-only corpus.
    assert make_plan(_cast(tmp_path, sentence_file, utterances=400)) == plan
    alone = make_plan(_cast(tmp_path, sentence_file, utterances=400, voices=("bdl",)))
    assert alone == [u for u in plan if u.voice == "bdl"]
    # The speakers read different sentences, and the judge's sentences are nobody's training.
    texts = {v: {u.text for u in plan if u.voice == v and u.split != "judge"} for v in VOICES}
    assert all(not texts[a] & texts[b] for a in VOICES for b in VOICES if a < b)
    judge = {u.text for u in plan if u.split == "judge"}
    assert judge and not judge & set().union(*texts.values())


def test_single_voice_plan_without_blends_is_the_old_one(
    sentence_file: Path, tmp_path: Path
) -> None:
    # Corpora made before casts and blends (e.g. the default voice's slt corpus) regenerate
    # exactly: slt keeps its random streams and sentence order.
    plan = make_plan(_cast(tmp_path, sentence_file, utterances=50, voices=("slt",), blend_share=0))
    rng = np.random.default_rng([0, 1, 7])
    rng.random()  # the split draw
    continuous = rng.random() < 0.3
    assert (plan[7].label is None) == continuous and plan[7].id == "slt_000007"
    assert all(u.blend is None for u in plan)


def test_blends_mix_their_labels_rules(sentence_file: Path, tmp_path: Path) -> None:
    plan = make_plan(_cast(tmp_path, sentence_file, utterances=300, voices=("clb",)))
    blends = [u for u in plan if u.blend is not None]
    assert blends
    pairs = Counter()
    for u in blends:
        (a, wa), (b, wb) = u.blend
        assert a != b and "neutral" not in (a, b) and LABELS.index(a) < LABELS.index(b)
        assert wa + wb == pytest.approx(1.0) and 0.25 <= min(wa, wb) <= max(wa, wb) <= 0.75
        weights = dict(u.blend)
        assert u.prosody == prosody_from_parameters(blend_parameters(weights, u.intensity))
        assert u.adv == pytest.approx(blend_adv(weights, u.intensity))
        # The manifest spelling parses back to the same weights for training.
        assert canonical_weights(u.emotion) == pytest.approx(weights, abs=1e-5)
        pairs[(a, b)] += 1
    assert len(pairs) >= 5  # many different pairs, not one
    # Mixing is linear in the weights: a 50/50 blend's F0 level is the two labels' mean.
    mixed = blend_parameters({"happy": 0.5, "sad": 0.5}, 1.2)
    happy = raw_parameters(realized_adv("happy", 1.2), "happy", 1.2)
    sad = raw_parameters(realized_adv("sad", 1.2), "sad", 1.2)
    assert mixed["pitch_st"] == pytest.approx((happy["pitch_st"] + sad["pitch_st"]) / 2)


def test_legacy_settings_resume_only_without_blends(sentence_file: Path, tmp_path: Path) -> None:
    from emotts.data.synthetic.generate import _load_or_write_settings
    from emotts.data.synthetic.rules import RULES_VERSION

    legacy = {
        "voice": "slt",
        "sentences": str(sentence_file.resolve()),
        "seed": 0,
        "label_only_share": 0.2,
        "adv_only_share": 0.2,
        "continuous_share": 0.3,
        "val_share": 0.03,
        "test_share": 0.03,
        "judge_share": 0.06,
        "rules_version": RULES_VERSION,
        "sample_rate": 22050,
        "calibration_gain_db": 3.5,
    }
    (tmp_path / "synthesis.json").write_text(json.dumps(legacy))
    old = _cast(tmp_path, sentence_file, voices=("slt",), blend_share=0.0)
    assert _load_or_write_settings(old) == {"slt": 3.5}
    with pytest.raises(ConfigError, match="blend_share.*--blend-share 0"):
        _load_or_write_settings(_cast(tmp_path, sentence_file, voices=("slt",)))
    with pytest.raises(ConfigError, match="voices"):
        _load_or_write_settings(_cast(tmp_path, sentence_file, blend_share=0.0))


def test_blend_rows_train_their_weights(tiny_corpus: Path, tmp_path: Path) -> None:
    from emotts.data.dataset import CachedDataset
    from emotts.text import default_symbols

    entries = read_manifest(tiny_corpus)
    shutil.copytree(tiny_corpus.parent / "wavs", tmp_path / "wavs")
    blend = entries[0].__class__(**{**entries[0].__dict__, "emotion": "Happiness:0.6,neutral:0.4"})
    manifest = tmp_path / "manifest.jsonl"
    write_manifest(manifest, [blend, *entries[1:]])
    cache = tmp_path / "cache"
    build_cache(
        manifest,
        cache,
        language="en-us",
        symbols=default_symbols("en-us"),
        workers=1,
        progress=False,
    )
    data = CachedDataset(cache, "train", ["neutral", "happy"], ["espeak"])
    row = next(i for i, r in enumerate(data.rows) if r["id"] == blend.id)
    assert data[row]["label_weights"].tolist() == pytest.approx([0.4, 0.6])
    assert data[row]["has_label"]
    with pytest.raises(ConfigError, match="happy"):
        CachedDataset(cache, "train", ["neutral"], ["espeak"])


def _needs_rhvoice() -> None:
    from emotts.data.synthetic.generate import rhvoice_available

    if not rhvoice_available():
        pytest.skip("RHVoice-test not installed (apt-get install rhvoice rhvoice-english)")


@pytest.mark.slow
def test_two_voice_corpus_renders_each_speaker_and_reports_hours(
    sentence_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    _needs_rhvoice()
    from emotts.cli import main
    from emotts.data.synthetic.measure import measure_audio

    out = tmp_path / "cast"
    args = ["data", "synthesize", "--out", str(out), "--voice", "slt,bdl", "--utterances", "2"]
    assert main([*args, "--sentences", str(sentence_file), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    entries = read_manifest(out / "manifest.jsonl")
    assert [e.speaker for e in entries] == ["slt", "slt", "bdl", "bdl"]
    table = hours_by_speaker_and_split(out / "manifest.jsonl")
    assert list(table) == ["slt", "bdl", "all"]
    for speaker in ("slt", "bdl"):
        seconds = sum(sf.info(e.audio_path(out)).duration for e in entries if e.speaker == speaker)
        assert table[speaker]["all"] == pytest.approx(seconds / 3600)
        assert f"  {speaker}: {table[speaker]['all']:.2f} h" in printed
    gains = json.loads((out / "synthesis.json").read_text())["calibration_gain_db"]
    assert set(gains) == {"slt", "bdl"}
    # The voices really are the two speakers: with the emotion's SSML pitch level divided
    # out, bdl (male) is far lower than slt (female).
    level = {}
    for e in entries:
        f0 = measure_audio(sf.read(e.audio_path(out))[0], e.text)["f0_hz"]
        level.setdefault(e.speaker, []).append(f0 / (e.extra["prosody"]["pitch_pct"] / 100))
    assert np.median(level["bdl"]) < 0.8 * np.median(level["slt"])


def test_cast_recipe_names_the_four_speakers() -> None:
    from emotts.train.config import load_config

    recipe = Path(__file__).parents[1] / "recipes" / "rhvoice_emotion" / "cast.yaml"
    config = load_config(recipe)
    assert config.data.speakers == list(VOICES)
    assert "--voice all" in recipe.read_text()
