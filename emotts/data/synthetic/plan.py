"""What each utterance of the synthetic corpus is: sentence, emotion, supervision, split.

The plan is a pure function of the settings and the seed, and utterance ``i`` does not depend
on how many come after it, so a corpus generated for more hours extends a smaller one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emotts.data.synthetic.duration import estimate_seconds
from emotts.data.synthetic.rules import Prosody, prosody_for, realized_adv
from emotts.data.synthetic.ssml import accent_candidates, build_ssml
from emotts.emotion.labels import LABELS
from emotts.errors import ConfigError

DEFAULT_SENTENCES = Path("/work/shared/corpora/ljspeech_transcripts.csv")
VOICES = ("slt", "clb", "bdl", "alan")
SENTENCE_CHARS = (20, 220)  # keeps utterances roughly 1.5-15 s
INTENSITY_RANGE = (0.5, 1.5)
ACCENT_SHARE = 0.3  # share of content words that get an emotional accent


@dataclass(frozen=True)
class SynthesisConfig:
    """Settings of one corpus; everything but the size must match when resuming."""

    out_dir: Path
    hours: float = 1.0
    voice: str = "slt"
    sentences: Path = DEFAULT_SENTENCES
    workers: int = 2
    seed: int = 0
    label_only_share: float = 0.2  # of labelled utterances: label recorded, ADV hidden
    adv_only_share: float = 0.2  # of labelled utterances: ADV recorded, label hidden
    continuous_share: float = 0.3  # of all utterances: ADV sampled in [-1, 1]^3, no label
    val_share: float = 0.03
    test_share: float = 0.03
    judge_share: float = 0.06
    utterances: int | None = None  # exact count instead of hours (tests, quick looks)

    def __post_init__(self) -> None:
        if self.voice not in VOICES:
            raise ConfigError(
                f"voice {self.voice!r} is not an RHVoice English voice; accepted: {', '.join(VOICES)}"
            )
        if self.hours <= 0 and self.utterances is None:
            raise ConfigError(f"hours is {self.hours}; accepted: a positive number")
        if self.utterances is not None and self.utterances < 1:
            raise ConfigError(f"utterances is {self.utterances}; accepted: a positive integer")
        if self.workers < 1:
            raise ConfigError(f"workers is {self.workers}; accepted: a positive integer")
        for name in (
            "label_only_share",
            "adv_only_share",
            "continuous_share",
            "val_share",
            "test_share",
            "judge_share",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"{name} is {value}; accepted: a number in [0, 1]")
        if self.label_only_share + self.adv_only_share > 1.0:
            raise ConfigError("label_only_share + adv_only_share exceeds 1; accepted: a sum <= 1")
        if self.val_share + self.test_share + self.judge_share >= 1.0:
            raise ConfigError("val_share + test_share + judge_share must be below 1")

    def identity(self) -> dict:
        """The settings that define utterance content (size and workers excluded)."""
        return {
            "voice": self.voice,
            "sentences": str(Path(self.sentences).resolve()),
            "seed": self.seed,
            "label_only_share": self.label_only_share,
            "adv_only_share": self.adv_only_share,
            "continuous_share": self.continuous_share,
            "val_share": self.val_share,
            "test_share": self.test_share,
            "judge_share": self.judge_share,
        }


@dataclass(frozen=True)
class UtterancePlan:
    """One utterance: the truth (label, intensity, ADV) and what the manifest reveals."""

    index: int
    id: str
    text: str
    split: str
    label: str | None
    intensity: float | None
    adv: tuple[float, float, float]
    supervision: str  # "both", "label", "adv" (ADV only)
    prosody: Prosody
    ssml: str
    accented: list[int] = field(default_factory=list)


def load_sentences(path: Path) -> list[str]:
    """Sentences from ``id|text|normalized`` lines (normalized text used) or plain lines."""
    if not Path(path).is_file():
        raise ConfigError(
            f"sentence file {path} does not exist; expected a text file, one sentence a line (or id|text|normalized)"
        )
    sentences: list[str] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        text = line.split("|")[-1].strip() if "|" in line else line.strip()
        if SENTENCE_CHARS[0] <= len(text) <= SENTENCE_CHARS[1] and any(c.isalpha() for c in text):
            sentences.append(text)
    if not sentences:
        raise ConfigError(
            f"sentence file {path} has no usable sentences; accepted: lines of "
            f"{SENTENCE_CHARS[0]}-{SENTENCE_CHARS[1]} characters"
        )
    return sentences


def _split_for(u: float, cfg: SynthesisConfig) -> str:
    if u < cfg.judge_share:
        return "judge"
    if u < cfg.judge_share + cfg.val_share:
        return "val"
    if u < cfg.judge_share + cfg.val_share + cfg.test_share:
        return "test"
    return "train"


def _plan_one(
    index: int, text: str, split: str, rng: np.random.Generator, cfg: SynthesisConfig
) -> UtterancePlan:
    if rng.random() < cfg.continuous_share:
        label, intensity, supervision = None, None, "adv"
        adv = tuple(float(x) for x in rng.uniform(-1.0, 1.0, 3))
    else:
        label = LABELS[int(rng.integers(len(LABELS)))]
        intensity = float(rng.uniform(*INTENSITY_RANGE))
        adv = realized_adv(label, intensity)
        u = rng.random()
        supervision = (
            "label"
            if u < cfg.label_only_share
            else "adv"
            if u < cfg.label_only_share + cfg.adv_only_share
            else "both"
        )
    prosody = prosody_for(adv, label, intensity if intensity is not None else 1.0)
    words = text.split()
    candidates = accent_candidates(words)
    accented = sorted(int(i) for i in candidates if rng.random() < ACCENT_SHARE)
    return UtterancePlan(
        index=index,
        id=f"{cfg.voice}_{index:06d}",
        text=text,
        split=split,
        label=label,
        intensity=intensity,
        adv=adv,
        supervision=supervision,
        prosody=prosody,
        ssml=build_ssml(words, set(accented), prosody),
        accented=accented,
    )


def make_plan(cfg: SynthesisConfig) -> list[UtterancePlan]:
    """All utterances of the corpus, in order, until the requested size is reached.

    With ``hours``, utterances are added until their estimated durations (``duration``:
    per-voice calibration, each utterance's own rate and pause scale) sum to the request.
    The estimate of utterance ``i`` depends only on utterance ``i``, so a larger request
    plans the same first utterances and then more.
    """
    sentences = load_sentences(cfg.sentences)
    order = np.random.default_rng([cfg.seed, 0]).permutation(len(sentences))
    # The judge split gets its own sentences, never used by any other split.
    n_judge = max(1, round(cfg.judge_share * len(sentences))) if cfg.judge_share > 0 else 0
    if n_judge >= len(sentences):
        raise ConfigError(
            f"sentence file {cfg.sentences} has too few sentences to set aside a judge split"
        )
    pools = {
        "judge": [sentences[i] for i in order[:n_judge]],
        "other": [sentences[i] for i in order[n_judge:]],
    }
    used = {"judge": 0, "other": 0}
    plan: list[UtterancePlan] = []
    total_s = 0.0
    target_s = cfg.hours * 3600.0
    while (len(plan) < cfg.utterances) if cfg.utterances is not None else (total_s < target_s):
        index = len(plan)
        rng = np.random.default_rng([cfg.seed, 1, index])
        split = _split_for(float(rng.random()), cfg)
        pool = "judge" if split == "judge" else "other"
        text = pools[pool][used[pool] % len(pools[pool])]
        used[pool] += 1
        utt = _plan_one(index, text, split, rng, cfg)
        plan.append(utt)
        total_s += estimate_seconds(text, utt.prosody, cfg.voice)
    return plan
