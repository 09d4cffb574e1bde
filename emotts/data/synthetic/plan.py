"""What each utterance of the synthetic corpus is: speaker, sentence, emotion, supervision, split.

The plan is a pure function of the settings and the seed, and utterance ``i`` of a voice does
not depend on how many come after it, so a corpus generated for more hours extends a smaller
one. Each voice's part depends only on that voice (not on which other voices the corpus
holds): its random streams and its stretch of the sentence list are keyed by the voice's place
in ``VOICES``, so a four-speaker corpus holds the same slt utterances as an slt-only one
(``slt`` keeps the streams of the single-voice corpora made before casts existed) and the
speakers read different sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emotts.data.synthetic.duration import estimate_seconds
from emotts.data.synthetic.rules import (
    Prosody,
    blend_adv,
    blend_parameters,
    prosody_for,
    prosody_from_parameters,
    realized_adv,
)
from emotts.data.synthetic.ssml import accent_candidates, build_ssml
from emotts.emotion.labels import LABELS
from emotts.errors import ConfigError

DEFAULT_SENTENCES = Path("/work/shared/corpora/ljspeech_transcripts.csv")
VOICES = ("slt", "clb", "bdl", "alan")
SENTENCE_CHARS = (20, 220)  # keeps utterances roughly 1.5-15 s
INTENSITY_RANGE = (0.5, 1.5)
BLEND_WEIGHT_RANGE = (0.25, 0.75)  # weight of a blend's first label; the second gets the rest
ACCENT_SHARE = 0.3  # share of content words that get an emotional accent


@dataclass(frozen=True)
class SynthesisConfig:
    """Settings of one corpus; everything but the size must match when resuming."""

    out_dir: Path
    hours: float = 1.0  # per voice
    voices: tuple[str, ...] = ("slt",)
    sentences: Path = DEFAULT_SENTENCES
    workers: int = 2
    seed: int = 0
    label_only_share: float = 0.2  # of labelled utterances: label recorded, ADV hidden
    adv_only_share: float = 0.2  # of labelled utterances: ADV recorded, label hidden
    continuous_share: float = 0.3  # of all utterances: ADV sampled in [-1, 1]^3, no label
    blend_share: float = 0.1  # of all utterances: two labels with weights, rules mixed
    val_share: float = 0.03
    test_share: float = 0.03
    judge_share: float = 0.06
    utterances: int | None = None  # exact count per voice instead of hours (tests, quick looks)

    def __post_init__(self) -> None:
        voices = (self.voices,) if isinstance(self.voices, str) else tuple(self.voices)
        object.__setattr__(self, "voices", voices)
        unknown = [v for v in voices if v not in VOICES]
        if not voices or unknown:
            raise ConfigError(
                f"voices {', '.join(unknown) or '(none)'} are not RHVoice English voices; "
                f"accepted: one or more of {', '.join(VOICES)}"
            )
        if len(set(voices)) != len(voices):
            raise ConfigError(f"voices {', '.join(voices)} name a voice twice; accepted: each once")
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
            "blend_share",
            "val_share",
            "test_share",
            "judge_share",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"{name} is {value}; accepted: a number in [0, 1]")
        if self.label_only_share + self.adv_only_share > 1.0:
            raise ConfigError("label_only_share + adv_only_share exceeds 1; accepted: a sum <= 1")
        if self.continuous_share + self.blend_share > 1.0:
            raise ConfigError("continuous_share + blend_share exceeds 1; accepted: a sum <= 1")
        if self.val_share + self.test_share + self.judge_share >= 1.0:
            raise ConfigError("val_share + test_share + judge_share must be below 1")

    def identity(self) -> dict:
        """The settings that define utterance content (size and workers excluded)."""
        return {
            "voices": list(self.voices),
            "sentences": str(Path(self.sentences).resolve()),
            "seed": self.seed,
            "label_only_share": self.label_only_share,
            "adv_only_share": self.adv_only_share,
            "continuous_share": self.continuous_share,
            "blend_share": self.blend_share,
            "val_share": self.val_share,
            "test_share": self.test_share,
            "judge_share": self.judge_share,
        }

    @classmethod
    def from_settings(
        cls, out_dir: Path, settings: dict, utterances: int | None = None
    ) -> SynthesisConfig:
        """The config a stored ``synthesis.json`` describes (see :func:`upgrade_settings`)."""
        settings = upgrade_settings(settings)
        keys = set(cls.__dataclass_fields__) - {
            "out_dir",
            "sentences",
            "utterances",
            "hours",
            "workers",
        }
        return cls(
            out_dir=out_dir,
            sentences=Path(settings["sentences"]),
            utterances=utterances,
            **{k: tuple(settings[k]) if k == "voices" else settings[k] for k in keys},
        )


def upgrade_settings(stored: dict) -> dict:
    """A ``synthesis.json`` in today's form: corpora made before casts and blends stored one
    ``voice``, no ``blend_share`` (they have none) and one calibration gain."""
    settings = dict(stored)
    if "voice" in settings:
        settings["voices"] = [settings.pop("voice")]
    settings.setdefault("blend_share", 0.0)
    gain = settings.get("calibration_gain_db")
    if isinstance(gain, int | float):
        settings["calibration_gain_db"] = {settings["voices"][0]: float(gain)}
    return settings


@dataclass(frozen=True)
class UtterancePlan:
    """One utterance: the truth (label, intensity, ADV) and what the manifest reveals."""

    index: int
    id: str
    voice: str
    text: str
    split: str
    label: str | None  # None for continuous ADV and for blends
    intensity: float | None
    adv: tuple[float, float, float]
    supervision: str  # "both", "label", "adv" (ADV only)
    prosody: Prosody
    ssml: str
    accented: list[int] = field(default_factory=list)
    blend: tuple[tuple[str, float], tuple[str, float]] | None = None

    @property
    def emotion(self) -> str | None:
        """The manifest's emotion: a label, a blend in the spec syntax (``happy:0.6,sad:0.4``)
        or None."""
        if self.blend is not None:
            return ",".join(f"{label}:{weight:.5f}" for label, weight in self.blend)
        return self.label


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


def _draw_blend(
    rng: np.random.Generator,
) -> tuple[tuple[str, float], tuple[str, float]]:
    """Two different non-neutral labels and their weights (a blend with neutral is only a
    weaker label, which intensity already covers)."""
    emotional = [label for label in LABELS if label != "neutral"]
    first, second = rng.choice(len(emotional), size=2, replace=False)
    weight = float(rng.uniform(*BLEND_WEIGHT_RANGE))
    pair = ((emotional[int(first)], weight), (emotional[int(second)], 1.0 - weight))
    # Canonical label order, as EmotionSpec prints blends.
    return tuple(sorted(pair, key=lambda lw: LABELS.index(lw[0])))  # type: ignore[return-value]


def _plan_one(
    index: int, voice: str, text: str, split: str, rng: np.random.Generator, cfg: SynthesisConfig
) -> UtterancePlan:
    kind = rng.random()
    blend = None
    if kind < cfg.continuous_share:
        label, intensity, supervision = None, None, "adv"
        adv = tuple(float(x) for x in rng.uniform(-1.0, 1.0, 3))
    else:
        if kind < cfg.continuous_share + cfg.blend_share:
            label, blend = None, _draw_blend(rng)
        else:
            label = LABELS[int(rng.integers(len(LABELS)))]
        intensity = float(rng.uniform(*INTENSITY_RANGE))
        adv = blend_adv(dict(blend), intensity) if blend else realized_adv(label, intensity)
        u = rng.random()
        supervision = (
            "label"
            if u < cfg.label_only_share
            else "adv"
            if u < cfg.label_only_share + cfg.adv_only_share
            else "both"
        )
    if blend is not None:
        prosody = prosody_from_parameters(blend_parameters(dict(blend), intensity))
    else:
        prosody = prosody_for(adv, label, intensity if intensity is not None else 1.0)
    words = text.split()
    candidates = accent_candidates(words)
    accented = sorted(int(i) for i in candidates if rng.random() < ACCENT_SHARE)
    return UtterancePlan(
        index=index,
        id=f"{voice}_{index:06d}",
        voice=voice,
        text=text,
        split=split,
        label=label,
        intensity=intensity,
        adv=adv,
        supervision=supervision,
        prosody=prosody,
        ssml=build_ssml(words, set(accented), prosody),
        accented=accented,
        blend=blend,
    )


def _voice_stream(cfg: SynthesisConfig, voice: str, *keys: int) -> np.random.Generator:
    """The random stream of one utterance of one voice. ``slt`` (the first of ``VOICES``)
    keeps the keys single-voice corpora always used, so their plans are unchanged."""
    place = VOICES.index(voice)
    return np.random.default_rng([cfg.seed, *keys] + ([place] if place else []))


def _voice_plan(
    cfg: SynthesisConfig, voice: str, pools: dict[str, list[str]]
) -> list[UtterancePlan]:
    """One voice's utterances until its requested size (per voice) is reached.

    Each voice starts at its own place in the shuffled sentence pools (a quarter of the
    pool apart), so the speakers of a cast read different sentences until a pool wraps.
    """
    place = VOICES.index(voice)
    used = {name: place * (len(pool) // len(VOICES)) for name, pool in pools.items()}
    plan: list[UtterancePlan] = []
    total_s = 0.0
    target_s = cfg.hours * 3600.0
    while (len(plan) < cfg.utterances) if cfg.utterances is not None else (total_s < target_s):
        index = len(plan)
        rng = _voice_stream(cfg, voice, 1, index)
        split = _split_for(float(rng.random()), cfg)
        pool = "judge" if split == "judge" else "other"
        text = pools[pool][used[pool] % len(pools[pool])]
        used[pool] += 1
        utt = _plan_one(index, voice, text, split, rng, cfg)
        plan.append(utt)
        total_s += estimate_seconds(text, utt.prosody, voice)
    return plan


def make_plan(cfg: SynthesisConfig) -> list[UtterancePlan]:
    """All utterances of the corpus: each voice's in turn (in ``cfg.voices`` order).

    With ``hours``, a voice gets utterances until their estimated durations (``duration``:
    per-voice calibration, each utterance's own rate and pause scale) sum to the request.
    The estimate of utterance ``i`` depends only on utterance ``i``, so a larger request
    plans the same first utterances and then more.
    """
    sentences = load_sentences(cfg.sentences)
    # One shuffle for every voice: the judge sentences are set aside for the whole cast, so no
    # speaker trains on a sentence the emotion judge is fitted on.
    order = np.random.default_rng([cfg.seed, 0]).permutation(len(sentences))
    n_judge = max(1, round(cfg.judge_share * len(sentences))) if cfg.judge_share > 0 else 0
    if n_judge >= len(sentences):
        raise ConfigError(
            f"sentence file {cfg.sentences} has too few sentences to set aside a judge split"
        )
    pools = {
        "judge": [sentences[i] for i in order[:n_judge]],
        "other": [sentences[i] for i in order[n_judge:]],
    }
    return [utt for voice in cfg.voices for utt in _voice_plan(cfg, voice, pools)]
