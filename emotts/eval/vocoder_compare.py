"""``emotts eval vocoders``: two vocoders on the same acoustic model's mels, same judges.

Every grid item is synthesized once; its mel is vocoded by each vocoder, so the renderings
differ only in the vocoder. Per vocoder: WER, DNSMOS, judge accuracy (label items at
intensity 1); per item: the speaker similarity between the two renderings. Copy-synthesis
(recording -> mel -> vocoder) on held-out recordings gives each vocoder's log-mel L1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from emotts.audio.config import AudioConfig
from emotts.audio.io import load_audio, save_audio
from emotts.audio.mel import mel_spectrogram
from emotts.data.manifest import read_manifest
from emotts.eval.grid import GridConfig, build_grid, emotion_spec
from emotts.eval.scoring import Judges, score_audio
from emotts.eval.speaker import cosine


def _vocode(vocoder: torch.nn.Module, mel: np.ndarray) -> np.ndarray:
    with torch.inference_mode():
        wave = vocoder(torch.from_numpy(np.ascontiguousarray(mel, np.float32))[None])[0]
    return wave.numpy().astype(np.float32)


def copy_synthesis_l1(
    vocoders: dict[str, torch.nn.Module], recordings: list[Path], cfg: AudioConfig
) -> dict[str, float]:
    """Mean |log-mel(vocoded) - log-mel(recording)| per vocoder over ``recordings``."""
    totals = dict.fromkeys(vocoders, 0.0)
    for path in tqdm(recordings, desc="copy-synthesis", unit="utt"):
        mel = mel_spectrogram(load_audio(path, cfg.sample_rate), cfg)
        for name, vocoder in vocoders.items():
            again = mel_spectrogram(_vocode(vocoder, mel), cfg)
            totals[name] += float(np.abs(again - mel).mean())
    return {name: total / max(len(recordings), 1) for name, total in totals.items()}


def plot_spectrogram_pair(
    renderings: dict[str, np.ndarray], sample_rate: int, title: str, path: str | Path
) -> Path:
    """Log-magnitude spectrograms (0-8 kHz) of the same item from each vocoder, one above the other."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(renderings), 1, figsize=(10, 3.2 * len(renderings)), sharex=True)
    for axis, (name, samples) in zip(np.atleast_1d(axes), renderings.items(), strict=True):
        spec = torch.stft(
            torch.from_numpy(samples), 1024, 256, 1024, torch.hann_window(1024), return_complex=True
        ).abs()
        db = 20 * np.log10(spec.numpy() + 1e-5)
        top = int(8000 / (sample_rate / 2) * db.shape[0])
        seconds = len(samples) / sample_rate
        axis.imshow(
            db[:top], origin="lower", aspect="auto", cmap="magma", vmin=db.max() - 80,
            extent=(0, seconds, 0, 8), interpolation="nearest",
        )
        axis.set_ylabel(f"{name}\nkHz")
    np.atleast_1d(axes)[0].set_title(title)
    np.atleast_1d(axes)[-1].set_xlabel("seconds")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def _summary(records: list[dict], names: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        rows = [r[name] for r in records]
        words = sum(r["words"] for r in rows)
        labelled = [
            (r["judged_label"], rec["label"])
            for rec, r in zip(records, rows, strict=True)
            if rec["kind"] == "label" and rec["intensity"] == 1.0 and "judged_label" in r
        ]
        out[name] = {
            "wer": sum(r["word_errors"] for r in rows) / max(words, 1),
            "dnsmos_ovrl": float(np.mean([r["dnsmos"]["ovrl"] for r in rows])),
            "judge_accuracy": (
                float(np.mean([judged == label for judged, label in labelled]))
                if labelled
                else None
            ),
            "judge_items": len(labelled),
        }
    similarities = [r["speaker_similarity"] for r in records]
    out["speaker_similarity_between"] = {
        "mean": float(np.mean(similarities)),
        "min": float(np.min(similarities)),
    }
    return out


def compare_vocoders(
    voice: Any,
    vocoders: dict[str, torch.nn.Module],
    sentences: list[str],
    out: str | Path,
    judge_path: str | Path | None,
    config: GridConfig,
    recordings: list[Path] | None = None,
) -> dict[str, Any]:
    """Render the grid with every vocoder in ``vocoders`` and write ``out/vocoders.json``."""
    out = Path(out)
    (out / "audio").mkdir(parents=True, exist_ok=True)
    judges = Judges.load(judge_path)
    items = [i for i in build_grid(sentences, list(voice.labels), config, []) if i.kind != "duration"]
    names = list(vocoders)
    records = []
    for item in tqdm(items, desc="vocoders", unit="utt"):
        audio = voice.synthesize(item.text, emotion=emotion_spec(item))
        record: dict[str, Any] = item.to_dict()
        embeddings = []
        for name in names:
            samples = _vocode(vocoders[name], audio.mel)
            save_audio(out / "audio" / f"{item.id}.{name}.wav", samples, audio.sample_rate)
            record[name] = score_audio(judges, samples, audio.sample_rate, item.text)
            embeddings.append(judges.speaker.embed(samples, audio.sample_rate))
        record["speaker_similarity"] = cosine(embeddings[0], embeddings[1])
        records.append(record)
    first = records[0]["id"]
    plot_spectrogram_pair(
        {name: load_audio(out / "audio" / f"{first}.{name}.wav", voice.sample_rate) for name in names},
        voice.sample_rate,
        f"the same mel through each vocoder: {first}",
        out / "spectrograms.png",
    )
    report: dict[str, Any] = {"vocoders": names, "items": len(records), "summary": _summary(records, names)}
    if recordings:
        report["copy_synthesis_l1"] = copy_synthesis_l1(vocoders, recordings, voice.audio_config)
        report["copy_synthesis_files"] = len(recordings)
    (out / "vocoders.json").write_text(json.dumps(report | {"records": records}, indent=2))
    return report


GRIDS = {
    "full": GridConfig.full(),
    # Every label once per sentence at intensity 1, two ADV values per dimension, one blend.
    "medium": GridConfig(6, (1.0,), (-0.8, 0.8), 1, (), 0, 0),
    "quick": GridConfig.quick(),
}


def held_out_recordings(manifests: list[str | Path], per_speaker: int) -> list[Path]:
    """The first ``per_speaker`` test-split recordings of each manifest."""
    paths: list[Path] = []
    for manifest in map(Path, manifests):
        rows = [e for e in read_manifest(manifest) if e.split == "test"][:per_speaker]
        paths += [e.audio_path(manifest.parent) for e in rows]
    return paths


def run_vocoder_comparison(
    voice_path: str | None,
    names: list[str],
    out: str | Path,
    grid: str,
    judge_path: str | Path | None,
    manifests: list[str | Path] = (),
    per_speaker: int = 4,
) -> dict[str, Any]:
    """`emotts eval vocoders`: load the voice (torch) and the named vocoders, then compare."""
    from emotts.backends import load_voice
    from emotts.errors import ConfigError
    from emotts.eval.evaluate import read_sentences
    from vocoders import load_vocoder

    if len(names) != 2:
        raise ConfigError(f"--vocoders needs two names, got {names}; see `emotts vocoders`")
    if grid not in GRIDS:
        raise ConfigError(f"grid {grid!r} is unknown; accepted: {', '.join(GRIDS)}")
    try:
        vocoders = {name: load_vocoder(name) for name in names}
    except ValueError as error:
        raise ConfigError(str(error)) from None
    # Mels are what the comparison feeds both vocoders; the cheaper one renders inside synthesize.
    voice = load_voice(voice_path, backend="torch", vocoder=names[-1])
    recordings = held_out_recordings(list(manifests), per_speaker)
    return compare_vocoders(
        voice, vocoders, read_sentences(None), out, judge_path, GRIDS[grid], recordings
    )
