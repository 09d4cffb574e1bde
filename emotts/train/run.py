"""One training run: cache -> datasets -> model config -> Lightning Trainer -> voice directory."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers import TensorBoardLogger
from torch.utils.data import DataLoader

from emotts.audio import AudioConfig
from emotts.data.cache import CacheResult, build_cache
from emotts.data.collate import collate
from emotts.data.dataset import CachedDataset, LengthBucketSampler
from emotts.errors import ConfigError
from emotts.train.callbacks import FinalCheckpoint, SampleLogger, VoiceExporter
from emotts.train.checkpoint_io import SafetensorsCheckpointIO
from emotts.train.config import TrainConfig
from emotts.train.distributed import exclusive
from emotts.train.module import AcousticTrainingModule
from emotts.train.resume import ResumePoint, find_resume_point


@dataclass(frozen=True)
class RunPaths:
    """Where a run writes, all under ``train.output_dir``."""

    output_dir: Path

    @property
    def checkpoints(self) -> Path:
        return self.output_dir / "checkpoints"

    @property
    def last_checkpoint(self) -> Path:
        return self.checkpoints / "last.ckpt"

    @property
    def logs(self) -> Path:
        return self.output_dir / "tensorboard"

    @property
    def voice(self) -> Path:
        return self.output_dir / "voice"


@dataclass
class RunResult:
    paths: RunPaths
    cache: CacheResult
    resumed_from: Path | None
    global_step: int
    seconds: float


def prepare_cache(
    config: TrainConfig, workers: int | None = None, progress: bool = True
) -> CacheResult:
    """Build (or bring up to date) the feature cache for the config's manifest.

    Processes that a launcher starts together take turns (see :mod:`emotts.train.distributed`):
    the first builds, the others find every item cached.
    """
    from emotts.text import default_symbols

    with exclusive(config.data.cache_dir / ".build.lock"):
        return build_cache(
            config.data.manifest,
            config.data.cache_dir,
            language=config.data.language,
            symbols=default_symbols(config.data.language),
            audio_config=AudioConfig(),
            workers=workers or config.data.workers,
            progress=progress,
        )


def model_config(config: TrainConfig, stats: dict) -> dict:
    """The AcousticConfig (as a dict) for this corpus: preset + overrides + corpus statistics."""
    from emotts.emotion import canonical_label
    from emotts.models import AcousticConfig

    given = config.data.labels
    # Canonical spellings, duplicates (e.g. "happy" and "joy") kept once, in the given order.
    labels = list(dict.fromkeys(canonical_label(x) for x in given)) if given else stats["labels"]
    if "neutral" not in labels:
        # The emotion space is anchored at neutral (intensity 0 = neutral), even for corpora
        # without neutral recordings.
        labels = ["neutral", *labels]
    speakers = config.data.speakers or stats["speakers"]
    reserved = {
        "n_symbols",
        "labels",
        "speakers",
        "pitch_mean",
        "pitch_std",
        "energy_mean",
        "energy_std",
    }
    clash = sorted(reserved & set(config.model.overrides))
    if clash:
        raise ConfigError(
            f"config key 'model.{clash[0]}' is computed from the corpus and cannot be set; "
            f"set data.labels / data.speakers instead"
        )
    return AcousticConfig.preset(
        config.model.preset,
        n_symbols=len(stats["symbols"]),
        labels=labels,
        speakers=speakers,
        pitch_mean=stats["pitch_mean"],
        pitch_std=stats["pitch_std"],
        energy_mean=stats["energy_mean"],
        energy_std=stats["energy_std"],
        **config.model.overrides,
    ).to_dict()


def _loader(dataset: CachedDataset, settings, shuffle: bool) -> DataLoader:
    sampler = LengthBucketSampler(
        dataset.frame_lengths, settings.batch_size, shuffle=shuffle, seed=settings.seed
    )
    return DataLoader(
        dataset,
        batch_sampler=sampler,
        collate_fn=collate,
        num_workers=settings.num_workers,
        persistent_workers=settings.num_workers > 0,
    )


def train(
    config: TrainConfig,
    *,
    max_steps: int | None = None,
    cache: CacheResult | None = None,
    workers: int | None = None,
    progress: bool = True,
    init_from: Path | None = None,
    resume: ResumePoint | None = None,
) -> RunResult:
    """Train the run described by ``config``, resuming from its newest good checkpoint.

    ``resume``: the checkpoint chosen by :func:`find_resume_point` (else chosen here); a
    damaged newest checkpoint is passed over for the previous good one.

    ``cache``: an already built cache (else it is built or brought up to date here).
    ``init_from``: a voice directory whose weights start a run that has no checkpoint yet
    (e.g. to continue training a shipped voice in a new session; the optimizer starts fresh).
    ``emotts train --fresh`` moves earlier checkpoints aside first, see
    :func:`set_aside_checkpoints`.
    """
    started = time.perf_counter()
    settings = config.train
    steps = max_steps or settings.max_steps
    paths = RunPaths(settings.output_dir)
    cache = cache or prepare_cache(config, workers, progress)
    stats = cache.stats
    model_dict = model_config(config, stats)
    if init_from is not None:
        # Also when resuming: the run's weights live in the voice's normalized units, and a
        # grown or regenerated corpus (whose cache gives other statistics) must not change them.
        model_dict = adopt_voice_statistics(model_dict, init_from)

    train_set = CachedDataset(
        config.data.cache_dir, "train", model_dict["labels"], model_dict["speakers"]
    )
    if len(train_set) == 0:
        raise ConfigError(f"{config.data.manifest} has no cached utterances in the 'train' split")
    val_set = CachedDataset(
        config.data.cache_dir, "val", model_dict["labels"], model_dict["speakers"]
    )

    L.seed_everything(settings.seed, workers=True, verbose=False)
    module = AcousticTrainingModule(
        model_dict,
        learning_rate=settings.learning_rate,
        warmup_steps=settings.warmup_steps,
        max_steps=steps,
        weight_decay=settings.weight_decay,
        freeze=settings.freeze,
    )
    sample_source = val_set if len(val_set) else train_set
    callbacks = [
        ModelCheckpoint(
            dirpath=paths.checkpoints,
            filename="step={step}",
            auto_insert_metric_name=False,
            every_n_train_steps=settings.checkpoint_every_n_steps,
            save_last=True,
            # No monitor: with one, Lightning defers step-triggered saves to the next validation.
            save_top_k=-1 if settings.keep_all_checkpoints else 0,
        ),
        FinalCheckpoint(paths.last_checkpoint, settings.checkpoint_every_n_steps),
        VoiceExporter(
            paths.voice,
            audio_config=AudioConfig(),
            language=config.data.language,
            symbols=stats["symbols"],
            extra={"recipe": str(config.path) if config.path else None},
        ),
    ]
    if settings.log_audio_every_n_steps:
        callbacks.append(
            SampleLogger(
                collate([sample_source[0]]), settings.log_audio_every_n_steps, AudioConfig()
            )
        )
    trainer = _trainer(settings, steps, callbacks, has_val=len(val_set) > 0, progress=progress)
    resume_path = (resume or find_resume_point(paths.checkpoints)).path
    if init_from is not None and resume_path is None:
        initialize_from_voice(module, init_from)
    val_loader = _loader(val_set, settings, shuffle=False) if len(val_set) else None
    try:
        trainer.fit(
            module, _loader(train_set, settings, shuffle=True), val_loader, ckpt_path=resume_path
        )
    except RuntimeError as error:
        if resume_path is None or "state_dict" not in str(error):
            raise
        raise ConfigError(
            f"checkpoint {resume_path} was trained with a different model config ({error}); "
            f"restore the old config or start over with --fresh"
        ) from None
    return RunResult(paths, cache, resume_path, trainer.global_step, time.perf_counter() - started)


def _trainer(settings, steps: int, callbacks: list, *, has_val: bool, progress: bool) -> L.Trainer:
    from lightning.fabric.utilities.exceptions import MisconfigurationException

    paths = RunPaths(settings.output_dir)
    try:
        return L.Trainer(
            max_steps=steps,
            accelerator=settings.accelerator,
            devices=settings.devices,
            strategy=settings.strategy,
            num_nodes=settings.num_nodes,
            precision=settings.precision,
            gradient_clip_val=settings.grad_clip,
            val_check_interval=settings.val_every_n_steps,
            check_val_every_n_epoch=None,
            limit_val_batches=None if has_val else 0,
            num_sanity_val_steps=0,
            logger=TensorBoardLogger(str(paths.output_dir), name="tensorboard", version=""),
            log_every_n_steps=settings.log_every_n_steps,
            callbacks=callbacks,
            plugins=[SafetensorsCheckpointIO()],
            # LengthBucketSampler shards its batches itself; Lightning's replacement would
            # wrap it in a DistributedSampler, which cannot split batches.
            use_distributed_sampler=False,
            enable_progress_bar=progress,
            enable_model_summary=progress,
            default_root_dir=str(paths.output_dir),
        )
    except MisconfigurationException as error:
        raise ConfigError(
            f"train.accelerator {settings.accelerator!r}, devices {settings.devices!r}, "
            f"strategy {settings.strategy!r}, num_nodes {settings.num_nodes}: {error}"
        ) from None


_STATISTICS = ("pitch_mean", "pitch_std", "energy_mean", "energy_std")


def adopt_voice_statistics(model_dict: dict, voice_dir: Path) -> dict:
    """Keep a voice's pitch/energy normalization when continuing its training.

    A regenerated or grown corpus has slightly different statistics; the weights were learned
    in the voice's normalized units, so those stay.
    """
    from emotts.models.checkpoint import read_voice_config

    voice_model = read_voice_config(voice_dir)["model"]
    return {**model_dict, **{key: voice_model[key] for key in _STATISTICS}}


def _is_decoder_key(key: str) -> bool:
    """Model config keys that only size the decoder (the decoder section, legacy flat keys)."""
    return key == "decoder" or key.startswith("decoder_")


def _grown_speaker_table(
    theirs: torch.Tensor, their_speakers: list[str], our_speakers: list[str]
) -> torch.Tensor:
    """The voice's speaker embeddings [S_voice, S_dim] laid out for our speakers [S, S_dim].

    A speaker the voice knows keeps its row; a new one starts from the mean of the known rows
    plus a little noise, i.e. inside the region the rest of the network was trained on
    (a random row would be an input the conditional layer norms never saw), and different
    from its siblings so that their gradients can pull them apart.
    """
    generator = torch.Generator().manual_seed(0)
    mean = theirs.float().mean(dim=0)
    scale = 0.1 * theirs.float().std().clamp(min=1e-3)
    rows = [
        theirs[their_speakers.index(name)].float()
        if name in their_speakers
        else mean + scale * torch.randn(mean.shape, generator=generator)
        for name in our_speakers
    ]
    return torch.stack(rows).to(theirs.dtype)


def initialize_from_voice(module: AcousticTrainingModule, voice_dir: Path) -> None:
    """Load a voice directory's weights into the module.

    The model configs must match, except that the decoder may differ (a new decoder on a
    trained voice, e.g. the flow decoder): then every weight but the decoder's is loaded and
    the decoder keeps its fresh initialization. The recipe may also add speakers to the
    voice's (a cast grown from a one-speaker voice): known speakers keep their embeddings,
    new ones start near them (`_grown_speaker_table`).
    """
    from emotts.models.checkpoint import load_acoustic_model

    model, _ = load_acoustic_model(voice_dir)
    ours, theirs = module.model.config.to_dict(), model.config.to_dict()
    differing = sorted(key for key in {*ours, *theirs} if ours.get(key) != theirs.get(key))
    grows_speakers = "speakers" in differing and set(theirs["speakers"]) <= set(ours["speakers"])
    allowed = {"speakers"} if grows_speakers else set()
    if any(not _is_decoder_key(key) and key not in allowed for key in differing):
        raise ConfigError(
            f"--init-from {voice_dir}: its model config differs from this recipe's in {differing}; "
            "use a voice trained with the same preset, labels, speakers (or a subset of them) "
            "and corpus statistics (only the decoder may differ)"
        )
    state = model.state_dict()
    new_decoder = any(_is_decoder_key(key) for key in differing)
    if new_decoder:
        state = {name: value for name, value in state.items() if not name.startswith("decoder.")}
    if grows_speakers:
        state["speaker_embedding.weight"] = _grown_speaker_table(
            state["speaker_embedding.weight"], theirs["speakers"], ours["speakers"]
        )
    missing, _ = module.model.load_state_dict(state, strict=not new_decoder)
    if any(not name.startswith("decoder.") for name in missing):
        raise ConfigError(f"--init-from {voice_dir}: weights missing for {sorted(missing)[:5]}")


def set_aside_checkpoints(paths: RunPaths) -> Path | None:
    """Move an earlier run's checkpoints out of the way (for ``--fresh``); returns where to."""
    if not paths.checkpoints.exists():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = paths.checkpoints.with_name(f"checkpoints.before-{stamp}")
    paths.checkpoints.rename(target)
    return target
