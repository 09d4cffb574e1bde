"""The synthetic emotional corpus: rules, plan, generation, resume, splits, audible emotion."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from emotts.data.manifest import read_manifest
from emotts.data.synthetic.plan import SynthesisConfig, make_plan
from emotts.data.synthetic.rules import LABEL_EXTRA, prosody_for, raw_parameters
from emotts.emotion.labels import LABELS
from emotts.errors import ConfigError

SENTENCES = [
    "The committee met on a cold morning to discuss the new bridge.",
    "She carried the letters across the river before the storm arrived.",
    "Nobody expected the old clock to start ticking again that night.",
    "The prisoners waited in the courtyard for the arrival of the sheriff.",
    "A small boat drifted slowly towards the harbour lights.",
    "He opened the window and listened to the rain on the roof.",
    "The printer examined every page of the ancient manuscript.",
    "They walked along the narrow road until the village came into view.",
    "The evidence was presented to the jury late in the afternoon.",
    "Her brother repaired the fence while the children played outside.",
    "The museum closed its doors early because of the heavy snow.",
    "Several witnesses described the same stranger in a grey coat.",
]


def _rhvoice_missing() -> bool:
    from emotts.data.synthetic.generate import rhvoice_available

    return not rhvoice_available()


needs_rhvoice = pytest.mark.skipif(
    _rhvoice_missing(),
    reason="RHVoice-test not installed (apt-get install rhvoice rhvoice-english)",
)


@pytest.fixture(scope="module")
def sentence_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("text") / "sentences.txt"
    path.write_text("\n".join(SENTENCES) + "\n")
    return path


def _config(out: Path, sentences: Path, **kw) -> SynthesisConfig:
    base = dict(
        out_dir=out,
        sentences=sentences,
        utterances=8,
        workers=1,
        seed=3,
        label_only_share=0.3,
        adv_only_share=0.3,
        continuous_share=0.25,
        judge_share=0.25,
        val_share=0.1,
        test_share=0.1,
    )
    return SynthesisConfig(**{**base, **kw})


def test_rules_monotonic_in_arousal() -> None:
    grid = np.linspace(-1, 1, 21)
    for d, v in itertools.product((-0.8, 0.0, 0.8), repeat=2):
        ps = [prosody_for((a, d, v)) for a in grid]
        for name in ("pitch_pct", "rate_pct", "volume_pct", "f0_range", "tilt_db"):
            values = np.array([getattr(p, name) for p in ps])
            assert np.all(np.diff(values) >= 0), name
            assert values[-1] > values[0], name
        assert np.all(np.diff([p.pause_scale for p in ps]) < 0)


def test_rules_smooth_in_adv() -> None:
    rng = np.random.default_rng(0)
    eps = 1e-3
    for adv in rng.uniform(-1, 1, (200, 3)):
        step = rng.standard_normal(3)
        step *= eps / np.linalg.norm(step)
        for label in (None, *LABELS):
            a = raw_parameters(tuple(adv), label, 1.2)
            b = raw_parameters(tuple(adv + step), label, 1.2)
            # Bounded slope: no parameter jumps when ADV moves a little.
            assert all(abs(a[k] - b[k]) < 10 * eps for k in a)


def test_label_extras_scale_with_intensity() -> None:
    adv = (0.0, 0.0, 0.0)
    for label, extra in LABEL_EXTRA.items():
        lo, hi = raw_parameters(adv, label, 0.5), raw_parameters(adv, label, 1.5)
        for name, value in extra.items():
            assert hi[name] - lo[name] == pytest.approx(value)


def test_plan_shares_and_judge_sentences_disjoint(sentence_file: Path, tmp_path: Path) -> None:
    cfg = _config(tmp_path, sentence_file, utterances=3000)
    plan = make_plan(cfg)
    judge = {u.text for u in plan if u.split == "judge"}
    others = {u.text for u in plan if u.split != "judge"}
    assert judge and others and not judge & others
    labelled = [u for u in plan if u.label is not None or u.blend is not None]
    assert len(labelled) / len(plan) == pytest.approx(0.75, abs=0.03)
    assert sum(u.blend is not None for u in plan) / len(plan) == pytest.approx(0.1, abs=0.02)
    share = {
        s: sum(u.supervision == s for u in labelled) / len(labelled)
        for s in ("label", "adv", "both")
    }
    assert share["label"] == pytest.approx(0.3, abs=0.03)
    assert share["adv"] == pytest.approx(0.3, abs=0.03)
    assert {u.split for u in plan} == {"train", "val", "test", "judge"}
    # A bigger corpus extends a smaller one.
    assert make_plan(_config(tmp_path, sentence_file, utterances=50)) == plan[:50]


def test_bad_settings_raise_config_error(sentence_file: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="voices nope"):
        _config(tmp_path, sentence_file, voices=("nope",))
    with pytest.raises(ConfigError, match="twice"):
        _config(tmp_path, sentence_file, voices=("slt", "slt"))
    with pytest.raises(ConfigError, match="blend_share"):
        _config(tmp_path, sentence_file, continuous_share=0.95, blend_share=0.1)
    with pytest.raises(ConfigError, match="does not exist"):
        make_plan(_config(tmp_path, tmp_path / "missing.txt"))


@pytest.fixture(scope="module")
def corpus(sentence_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if _rhvoice_missing():
        pytest.skip("RHVoice-test not installed (apt-get install rhvoice rhvoice-english)")
    from emotts.data.synthetic.generate import generate_corpus

    out = tmp_path_factory.mktemp("corpus")
    generate_corpus(_config(out, sentence_file, workers=2), progress=False)
    return out


@needs_rhvoice
def test_generated_manifest_and_audio(corpus: Path) -> None:
    entries = read_manifest(corpus / "manifest.jsonl")
    assert len(entries) == 8
    for e in entries:
        sup = e.extra["supervision"]
        assert (e.emotion is not None) == (sup in ("label", "both"))
        assert (e.adv is not None) == (sup in ("adv", "both"))
        assert e.extra["true_emotion"] is None or e.extra["true_emotion"] in LABELS
        assert e.speaker == "slt"
        assert set(e.extra["prosody"]) >= {
            "pitch_pct",
            "rate_pct",
            "f0_range",
            "final_st",
            "jitter",
        }
        x, sr = sf.read(e.audio_path(corpus))
        assert sr == 22050 and x.ndim == 1
        assert np.sqrt(np.mean(x**2)) > 0.005 and np.max(np.abs(x)) < 0.999
    judge = {e.text for e in entries if e.split == "judge"}
    assert not judge & {e.text for e in entries if e.split != "judge"}


@needs_rhvoice
def test_resume_skips_valid_and_redoes_broken(corpus: Path, sentence_file: Path) -> None:
    from emotts.data.synthetic.generate import generate_corpus

    wavs = sorted((corpus / "wavs").glob("*.wav"))
    before = {p: p.read_bytes() for p in wavs}
    mtimes = {p: p.stat().st_mtime_ns for p in wavs}
    wavs[0].unlink()
    wavs[1].write_bytes(b"")
    generate_corpus(_config(corpus, sentence_file), progress=False)
    assert all(p.stat().st_mtime_ns == mtimes[p] for p in wavs[2:])
    # Redone files are identical: generation is deterministic given the seed.
    assert wavs[0].read_bytes() == before[wavs[0]] and wavs[1].read_bytes() == before[wavs[1]]
    with pytest.raises(ConfigError, match="seed"):
        generate_corpus(_config(corpus, sentence_file, seed=4), progress=False)


@needs_rhvoice
def test_high_arousal_label_raises_f0() -> None:
    from emotts.data.synthetic.generate import SAMPLE_RATE, render_utterance
    from emotts.data.synthetic.measure import measure_audio
    from emotts.data.synthetic.plan import UtterancePlan
    from emotts.data.synthetic.rules import realized_adv
    from emotts.data.synthetic.ssml import build_ssml

    text = SENTENCES[3]
    f0 = {}
    for label in ("neutral", "angry", "surprised"):
        adv = realized_adv(label, 1.0)
        prosody = prosody_for(adv, label, 1.0)
        utt = UtterancePlan(
            0,
            "t",
            "slt",
            text,
            "train",
            label,
            1.0,
            adv,
            "both",
            prosody,
            build_ssml(text.split(), set(), prosody),
        )
        audio, _ = render_utterance(utt, 0.0, 0)
        f0[label] = measure_audio(audio, text, SAMPLE_RATE)["f0_hz"]
    assert f0["angry"] > 1.1 * f0["neutral"]
    assert f0["surprised"] > 1.1 * f0["neutral"]


@needs_rhvoice
def test_measure_writes_table_plot_and_sanity(corpus: Path, tmp_path: Path) -> None:
    from emotts.data.synthetic.measure import count_syllables, measure_corpus

    assert count_syllables("The committee met") == 5
    markdown = measure_corpus(corpus / "manifest.jsonl", tmp_path, sanity_count=1)
    summary = json.loads((tmp_path / "measure.json").read_text())["summary"]
    assert (tmp_path / "measure.png").stat().st_size > 0 and "| label |" in markdown
    assert summary["silent"] == 0 and summary["clipped"] == 0
    assert summary["sanity"]["max_abs_diff_vs_stored"] < 1e-4


def test_hours_plan_is_prefix_stable_and_reaches_estimate(
    sentence_file: Path, tmp_path: Path
) -> None:
    from emotts.data.synthetic.duration import estimate_seconds

    small = make_plan(_config(tmp_path, sentence_file, utterances=None, hours=0.02))
    large = make_plan(_config(tmp_path, sentence_file, utterances=None, hours=0.05))
    # Growing --hours only appends: an existing corpus can be extended by resuming.
    assert large[: len(small)] == small and len(large) > len(small)
    est = [estimate_seconds(u.text, u.prosody, "slt") for u in large]
    assert sum(est[:-1]) < 0.05 * 3600 <= sum(est)
    # The estimate follows each utterance's own tempo and pause edits.
    slow = min(large, key=lambda u: u.prosody.rate_pct)
    fast = max(large, key=lambda u: u.prosody.rate_pct)
    assert slow.prosody.rate_pct < fast.prosody.rate_pct
    text = SENTENCES[0]
    assert estimate_seconds(text, slow.prosody, "slt") > estimate_seconds(text, fast.prosody, "slt")


@needs_rhvoice
def test_duration_estimate_matches_generated_audio(corpus: Path) -> None:
    from emotts.data.synthetic.duration import estimate_seconds
    from emotts.data.synthetic.rules import Prosody

    entries = read_manifest(corpus / "manifest.jsonl")
    actual = [sf.info(str(e.audio_path(corpus))).duration for e in entries]
    estimated = [
        estimate_seconds(e.text, Prosody(**e.extra["prosody"]), e.speaker) for e in entries
    ]
    # Calibrated for +-5 % on a multi-hour corpus; 8 utterances get a wider margin.
    assert sum(estimated) == pytest.approx(sum(actual), rel=0.10)
    assert all(0.7 < est / act < 1.3 for est, act in zip(estimated, actual, strict=True))


@needs_rhvoice
def test_edited_duration_equals_generated_wav(corpus: Path, sentence_file: Path) -> None:
    from emotts.data.synthetic.duration import edited_duration_s
    from emotts.data.synthetic.generate import SAMPLE_RATE, rhvoice

    utt = make_plan(_config(corpus, sentence_file))[0]
    seconds = edited_duration_s(rhvoice(utt.ssml, "slt"), SAMPLE_RATE, utt.prosody.pause_scale)
    assert seconds == pytest.approx(
        sf.info(str(corpus / "wavs" / f"{utt.id}.wav")).duration, abs=1e-3
    )


@needs_rhvoice
def test_resume_with_larger_size_extends_unchanged(
    corpus: Path, sentence_file: Path, tmp_path: Path
) -> None:
    import shutil

    from emotts.data.synthetic.generate import generate_corpus

    grown = tmp_path / "grown"
    shutil.copytree(corpus, grown)
    wavs = sorted((grown / "wavs").glob("*.wav"))
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in wavs}
    rows = (grown / "manifest.jsonl").read_text().splitlines()
    generate_corpus(_config(grown, sentence_file, utterances=len(rows) + 2), progress=False)
    new_rows = (grown / "manifest.jsonl").read_text().splitlines()
    assert len(new_rows) == len(rows) + 2 and new_rows[: len(rows)] == rows
    for name, (data, mtime) in before.items():
        path = grown / "wavs" / name
        assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime
    assert len(list((grown / "wavs").glob("*.wav"))) == len(wavs) + 2
    # Shrinking would drop utterances; another sentence file would change them.
    with pytest.raises(ConfigError, match="already holds"):
        generate_corpus(_config(grown, sentence_file, utterances=len(rows)), progress=False)
    # Rows made from other inputs (e.g. an edited sentence file) are not silently replaced.
    first = {**json.loads(new_rows[0]), "text": "Another sentence made this utterance."}
    (grown / "manifest.jsonl").write_text("\n".join([json.dumps(first), *new_rows[1:]]) + "\n")
    with pytest.raises(ConfigError, match="would change"):
        generate_corpus(_config(grown, sentence_file, utterances=len(new_rows)), progress=False)


def test_hours_by_split_reads_the_wavs(corpus: Path, tmp_path: Path) -> None:
    from emotts.data.manifest import hours_by_split, write_manifest

    entries = read_manifest(corpus / "manifest.jsonl")
    hours = hours_by_split(corpus / "manifest.jsonl")
    expected: dict[str, float] = {}
    for e in entries:
        expected[e.split] = (
            expected.get(e.split, 0.0) + sf.info(e.audio_path(corpus)).duration / 3600
        )
    assert hours["all"] == pytest.approx(sum(expected.values()))
    assert {k: v for k, v in hours.items() if k != "all"} == pytest.approx(expected)

    # A row whose audio is gone is an error naming the file, not a silently smaller corpus.
    moved = tmp_path / "manifest.jsonl"
    write_manifest(moved, entries)  # audio paths now resolve under tmp_path, where none exist
    with pytest.raises(ConfigError, match="cannot read"):
        hours_by_split(moved)
