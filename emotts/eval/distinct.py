"""Are a voice's speakers distinct? Within- against cross-speaker similarity of embeddings.

Issue 14 asks that the four speakers of the cast be distinct: the mean similarity between two
renderings by *different* speakers must sit below the mean similarity between two renderings
by the *same* speaker, by a margin that is reported. Pairs always join two different sentences,
so that shared words never raise a score; the embedding is the evaluation's speaker encoder
(Resemblyzer, GE2E), as for every other speaker figure.

The same numbers are computed for recordings (a manifest) so the voice's margin can be read
against its source's: ``distinctness_of_recordings``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from emotts.errors import ConfigError

Embed = Callable[[np.ndarray, int], np.ndarray]


def distinctness(embeddings: dict[str, list[np.ndarray]]) -> dict:
    """Within/cross similarity from L2-normalizable embeddings grouped by speaker.

    ``embeddings[speaker][i]`` is the embedding of sentence ``i`` by that speaker (every
    speaker the same sentences in the same order, or at least two utterances each). Returns
    ``within[speaker]`` (mean cosine over pairs of different sentences by that speaker),
    ``cross[a][b]`` (mean cosine over pairs of different sentences, one by each), the means of
    both, and ``margin`` = mean within - mean cross (positive: speakers are told apart).
    """
    speakers = list(embeddings)
    if len(speakers) < 2:
        raise ConfigError(f"distinctness needs at least two speakers, got {speakers}")
    unit = {
        s: [np.asarray(e, dtype=np.float64) / max(np.linalg.norm(e), 1e-12) for e in embeddings[s]]
        for s in speakers
    }
    for speaker, rows in unit.items():
        if len(rows) < 2:
            raise ConfigError(
                f"speaker {speaker!r} has {len(rows)} utterance(s); at least 2 needed"
            )
    within = {
        s: float(np.mean([a @ b for a, b in itertools.combinations(rows, 2)]))
        for s, rows in unit.items()
    }
    cross: dict[str, dict[str, float]] = {s: {} for s in speakers}
    for a, b in itertools.combinations(speakers, 2):
        scores = [x @ y for i, x in enumerate(unit[a]) for j, y in enumerate(unit[b]) if i != j]
        cross[a][b] = cross[b][a] = float(np.mean(scores))
    cross_values = [cross[a][b] for a, b in itertools.combinations(speakers, 2)]
    mean_within, mean_cross = float(np.mean(list(within.values()))), float(np.mean(cross_values))
    # The closest pair decides whether a listener could confuse two characters.
    closest = max(itertools.combinations(speakers, 2), key=lambda p: cross[p[0]][p[1]])
    return {
        "speakers": speakers,
        "within": within,
        "cross": cross,
        "mean_within": mean_within,
        "mean_cross": mean_cross,
        "margin": mean_within - mean_cross,
        "closest_pair": list(closest),
        "closest_cross": cross[closest[0]][closest[1]],
        "min_within": min(within.values()),
    }


def distinctness_of_voice(
    voice, sentences: Sequence[str], embed: Embed, speakers: Sequence[str] | None = None
) -> dict:
    """Render every sentence (neutral) by every speaker of ``voice`` and score distinctness."""
    from tqdm import tqdm

    names = list(speakers or voice.speakers)
    unknown = [s for s in names if s not in voice.speakers]
    if unknown:
        raise ConfigError(f"unknown speaker(s) {unknown}; this voice has: {list(voice.speakers)}")
    embeddings: dict[str, list[np.ndarray]] = {s: [] for s in names}
    jobs = [(s, t) for s in names for t in sentences]
    for speaker, text in tqdm(jobs, desc="speakers", unit="utt"):
        audio = voice.synthesize(text, speaker=speaker)
        embeddings[speaker].append(embed(np.asarray(audio.samples), int(audio.sample_rate)))
    return distinctness(embeddings)


def distinctness_of_recordings(
    manifest: Path,
    embed: Embed,
    per_speaker: int = 8,
    splits: Sequence[str] = ("test", "val", "judge", "train"),
) -> dict:
    """The same figures for a corpus: the first ``per_speaker`` neutral rows of each speaker,
    taken from ``splits`` in that order (held-out rows first); neutral only, so emotion does
    not split a speaker."""
    import soundfile as sf

    from emotts.data.manifest import read_manifest

    entries = read_manifest(manifest)
    rows: dict[str, list] = {}
    for split in splits:
        for entry in entries:
            if entry.split != split or entry.emotion != "neutral":
                continue
            bucket = rows.setdefault(entry.speaker, [])
            if len(bucket) < per_speaker:
                bucket.append(entry)
    embeddings = {}
    for speaker, entries in rows.items():
        embeddings[speaker] = []
        for entry in entries:
            samples, rate = sf.read(entry.audio_path(manifest.parent), dtype="float32")
            embeddings[speaker].append(embed(samples, rate))
    return distinctness(embeddings)


def plot_similarity(result: dict, path: Path, title: str) -> Path:
    """Heat map: within-speaker on the diagonal, cross-speaker off it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    speakers = result["speakers"]
    n = len(speakers)
    grid = np.array(
        [
            [result["within"][a] if a == b else result["cross"][a][b] for b in speakers]
            for a in speakers
        ]
    )
    fig, ax = plt.subplots(figsize=(1.2 * n + 2, 1.2 * n + 1))
    image = ax.imshow(grid, vmin=min(0.5, grid.min()), vmax=1.0, cmap="viridis")
    ax.set_xticks(range(n), speakers)
    ax.set_yticks(range(n), speakers)
    for i in range(n):
        for j in range(n):
            ax.text(j, i, f"{grid[i, j]:.2f}", ha="center", va="center", color="w", fontsize=9)
    ax.set_title(f"{title}\nmargin (within - cross) {result['margin']:+.3f}")
    fig.colorbar(image, ax=ax, label="cosine similarity")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
