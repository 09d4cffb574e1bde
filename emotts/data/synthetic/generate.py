"""Render the synthetic emotional corpus: RHVoice -> WORLD edits -> 22050 Hz wavs + manifest.

Loudness: one fixed gain per voice (found once from a neutral calibration sentence) brings
neutral speech to CALIBRATION_DBFS; every utterance of that voice gets the same gain, so the
loudness the emotion rules set stays in the signal. A soft limiter only touches peaks above 0.9.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
from tqdm import tqdm

from emotts.audio.io import load_audio, save_audio
from emotts.data.manifest import ManifestEntry, write_manifest
from emotts.data.synthetic.plan import (
    VOICES,
    SynthesisConfig,
    UtterancePlan,
    make_plan,
    upgrade_settings,
)
from emotts.data.synthetic.rules import RULES_VERSION, prosody_for
from emotts.data.synthetic.ssml import build_ssml
from emotts.data.synthetic.world_edit import EditReport, apply_world_edits
from emotts.errors import ConfigError

SAMPLE_RATE = 22050
RHVOICE = "RHVoice-test"
CALIBRATION_TEXT = "This sentence sets the loudness of neutral speech for the whole corpus."
CALIBRATION_DBFS = -26.0
LIMIT_FROM = 0.9
SETTINGS_FILE = "synthesis.json"


def rhvoice_available() -> bool:
    return shutil.which(RHVOICE) is not None


def active_rms_db(x: np.ndarray, sr: int = SAMPLE_RATE) -> float:
    """RMS level (dBFS) over 20 ms frames within 40 dB of the loudest one (pauses excluded)."""
    hop = sr // 50
    n = len(x) // hop
    if n == 0:
        return -120.0
    power = np.mean(x[: n * hop].astype(np.float64).reshape(n, hop) ** 2, axis=1) + 1e-12
    db = 10.0 * np.log10(power)
    return float(10.0 * np.log10(power[db > db.max() - 40.0].mean()))


def rhvoice(ssml: str, voice: str) -> np.ndarray:
    """RHVoice's rendering of an SSML document, at SAMPLE_RATE."""
    with tempfile.TemporaryDirectory(prefix="emotts_rhvoice_") as tmp:
        wav = Path(tmp) / "out.wav"
        result = subprocess.run(
            [RHVOICE, "-p", voice, "-s", "-o", str(wav)],
            input=ssml.encode("utf-8"),
            capture_output=True,
            check=False,
        )
        if result.returncode != 0 or not wav.is_file():
            raise RuntimeError(
                f"{RHVOICE} failed ({result.returncode}): {result.stderr.decode(errors='replace')[-500:]}"
            )
        return load_audio(wav, SAMPLE_RATE)


def _soft_limit(x: np.ndarray) -> np.ndarray:
    """Identity below LIMIT_FROM, tanh knee above, so no sample reaches full scale."""
    head = 1.0 - LIMIT_FROM
    mag = np.abs(x)
    over = mag > LIMIT_FROM
    out = x.copy()
    out[over] = np.sign(x[over]) * (LIMIT_FROM + head * np.tanh((mag[over] - LIMIT_FROM) / head))
    return out


def render_utterance(
    utt: UtterancePlan, gain_db: float, seed: int
) -> tuple[np.ndarray, EditReport]:
    """The final samples of one utterance (deterministic given the plan and seed)."""
    source = rhvoice(utt.ssml, utt.voice)
    # The first voice keeps the single-voice corpora's stream (see plan._voice_stream).
    place = VOICES.index(utt.voice)
    rng = np.random.default_rng([seed, 2, utt.index] + ([place] if place else []))
    edited, report = apply_world_edits(source, SAMPLE_RATE, utt.prosody, rng)
    return _soft_limit(edited * 10.0 ** (gain_db / 20.0)).astype(np.float32), report


def calibration_gain_db(voice: str) -> float:
    """Gain that brings a neutral rendering of CALIBRATION_TEXT to CALIBRATION_DBFS."""
    neutral = prosody_for((0.0, 0.0, 0.0))
    words = CALIBRATION_TEXT.split()
    source = rhvoice(build_ssml(words, set(), neutral), voice)
    edited, _ = apply_world_edits(source, SAMPLE_RATE, neutral, np.random.default_rng(0))
    return CALIBRATION_DBFS - active_rms_db(edited)


def wav_is_valid(path: Path) -> bool:
    """A finished wav: readable, at SAMPLE_RATE, mono, not empty (partial files never are)."""
    try:
        info = sf.info(str(path))
    except (sf.SoundFileError, RuntimeError):
        return False
    return info.samplerate == SAMPLE_RATE and info.channels == 1 and info.frames > 0


def _init_worker() -> None:
    # Two cores are shared by all workers: one torch thread each avoids oversubscription.
    import torch

    torch.set_num_threads(1)


def _work(job: tuple[UtterancePlan, float, int, str]) -> str:
    utt, gain_db, seed, wav_path = job
    audio, _ = render_utterance(utt, gain_db, seed)
    # Write under a temporary name and rename, so an interrupted run never leaves a valid-looking file.
    partial = wav_path[: -len(".wav")] + ".partial.wav"
    save_audio(partial, audio, SAMPLE_RATE)
    os.replace(partial, wav_path)
    return utt.id


def manifest_entry(utt: UtterancePlan) -> ManifestEntry:
    """The manifest row: revealed supervision in the core fields, the full truth in extras.

    A blend's ``emotion`` is written in the spec syntax (``happy:0.60000,surprised:0.40000``);
    its ``true_emotion`` is null (no single label is true) and ``true_blend`` holds the weights.
    """
    show_label = utt.supervision in ("label", "both")
    show_adv = utt.supervision in ("adv", "both")
    blend = {} if utt.blend is None else {"true_blend": {k: round(w, 5) for k, w in utt.blend}}
    return ManifestEntry(
        id=utt.id,
        audio=f"wavs/{utt.id}.wav",
        text=utt.text,
        speaker=utt.voice,
        emotion=utt.emotion if show_label else None,
        adv=tuple(round(x, 5) for x in utt.adv) if show_adv else None,
        intensity=round(utt.intensity, 5) if (show_label and utt.intensity is not None) else None,
        split=utt.split,
        extra={
            "supervision": utt.supervision,
            "true_emotion": utt.label,
            "true_adv": [round(x, 5) for x in utt.adv],
            "true_intensity": None if utt.intensity is None else round(utt.intensity, 5),
            **blend,
            "prosody": utt.prosody.to_dict(),
            "accented_words": utt.accented,
            "rules_version": RULES_VERSION,
        },
    )


def _load_or_write_settings(cfg: SynthesisConfig) -> dict[str, float]:
    """Check a resumed corpus was made with the same settings; returns each voice's gain."""
    path = cfg.out_dir / SETTINGS_FILE
    settings = {**cfg.identity(), "rules_version": RULES_VERSION, "sample_rate": SAMPLE_RATE}
    if path.is_file():
        stored = upgrade_settings(json.loads(path.read_text()))
        saved_gains = stored.pop("calibration_gain_db")
        if stored != settings:
            changed = sorted(k for k in settings if stored.get(k) != settings[k])
            hint = (
                " (a corpus made before blends existed resumes with --blend-share 0)"
                if "blend_share" in changed and stored.get("blend_share") == 0.0
                else ""
            )
            raise ConfigError(
                f"{cfg.out_dir} holds a corpus made with other settings ({', '.join(changed)})"
                f"{hint}; accepted: the same settings to resume, or a new --out folder"
            )
        return {voice: float(gain) for voice, gain in saved_gains.items()}
    gains = {voice: calibration_gain_db(voice) for voice in cfg.voices}
    path.write_text(json.dumps({**settings, "calibration_gain_db": gains}, indent=2) + "\n")
    return gains


def _check_existing_utterances(cfg: SynthesisConfig, plan: list[UtterancePlan]) -> None:
    """A resumed corpus may grow, but its manifest rows must stay exactly what they are.

    The plan is prefix-stable per voice (utterance ``i`` does not depend on the size), so a
    larger ``--hours`` or ``--utterances`` only adds rows. A smaller size would drop
    utterances, and a changed sentence file or planner would change them: both are refused.
    """
    manifest = cfg.out_dir / "manifest.jsonl"
    if not manifest.is_file():
        return
    lines = manifest.read_text(encoding="utf-8").splitlines()
    existing = [json.loads(line) for line in lines if line.strip()]
    planned = {utt.id: utt for utt in plan}
    dropped = [row.get("id") for row in existing if row.get("id") not in planned]
    if dropped:
        raise ConfigError(
            f"{cfg.out_dir} already holds {len(existing)} utterances but this size plans "
            f"{len(plan)} and leaves out {len(dropped)} of them (e.g. {dropped[0]}); accepted: "
            "the same or a larger size, or a new --out folder"
        )
    for row in existing:
        expected = json.loads(json.dumps(manifest_entry(planned[row["id"]]).to_dict()))
        if row != expected:
            changed = sorted(
                k for k in expected.keys() | row.keys() if row.get(k) != expected.get(k)
            )
            raise ConfigError(
                f"{cfg.out_dir}: utterance {row.get('id')} would change ({', '.join(changed)}); "
                "the sentence file or the planner differs from the one that made the corpus; "
                "accepted: the same inputs to resume or extend, or a new --out folder"
            )


def generate_corpus(cfg: SynthesisConfig, progress: bool = True) -> Path:
    """Generate, resume or extend the corpus; returns the manifest path.

    Resuming needs the same settings (``synthesis.json``); the size may grow, which appends
    utterances and leaves the existing wavs and manifest rows untouched.
    """
    if not rhvoice_available():
        raise ConfigError(
            f"{RHVOICE} not found; install rhvoice and rhvoice-english (see recipes/rhvoice_emotion/README.md)"
        )
    wav_dir = cfg.out_dir / "wavs"
    wav_dir.mkdir(parents=True, exist_ok=True)
    plan = make_plan(cfg)
    gains = _load_or_write_settings(cfg)
    _check_existing_utterances(cfg, plan)
    jobs = [
        (utt, gains[utt.voice], cfg.seed, str(wav_dir / f"{utt.id}.wav"))
        for utt in plan
        if not wav_is_valid(wav_dir / f"{utt.id}.wav")
    ]
    bar = tqdm(
        total=len(plan),
        initial=len(plan) - len(jobs),
        unit="utt",
        desc="synthesize",
        disable=not progress,
    )
    if jobs:
        if cfg.workers == 1:
            for job in jobs:
                _work(job)
                bar.update()
        else:
            with multiprocessing.get_context("spawn").Pool(
                cfg.workers, initializer=_init_worker
            ) as pool:
                for _ in pool.imap_unordered(_work, jobs, chunksize=1):
                    bar.update()
    bar.close()
    manifest = cfg.out_dir / "manifest.jsonl"
    write_manifest(manifest, [manifest_entry(utt) for utt in plan])
    return manifest
