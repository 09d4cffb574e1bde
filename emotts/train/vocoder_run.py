"""``emotts train-vocoder``: cache (mel, target) pairs, then train the iSTFT vocoder with Lightning.

Resumes from the newest good checkpoint in ``<output_dir>/checkpoints`` (safetensors, never
pickle), and writes the inference weights (fp16 safetensors + config.json) to ``<output_dir>/vocoder``
at every checkpoint, so a stopped run always leaves a usable vocoder.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers import TensorBoardLogger
from torch.utils.data import DataLoader

from emotts.errors import ConfigError
from emotts.train.callbacks import FinalCheckpoint
from emotts.train.checkpoint_io import SafetensorsCheckpointIO
from emotts.train.resume import find_resume_point
from emotts.train.vocoder_config import VocoderConfig
from emotts.train.vocoder_data import SegmentDataset, build_vocoder_cache
from emotts.train.vocoder_module import VocoderTrainingModule
from vocoders.vocos import VocosSettings, VocosVocoder

# Validation segments are longer than training ones: they show what the edges hide.
_VAL_SEGMENT_FACTOR = 2


@dataclass(frozen=True)
class VocoderRunResult:
    output_dir: Path
    vocoder_dir: Path
    resumed_from: Path | None
    global_step: int
    seconds: float


class VocoderExporter(L.Callback):
    """Writes the vocoder's inference weights whenever a checkpoint is saved."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def on_save_checkpoint(self, trainer, pl_module, checkpoint) -> None:
        pl_module.vocoder.save(self.directory)


def _settings(config: VocoderConfig) -> VocosSettings:
    m = config.model
    return VocosSettings(
        dim=m.dim, intermediate_dim=m.intermediate_dim, layers=m.layers, kernel_size=m.kernel_size
    )


def train_vocoder(
    config: VocoderConfig,
    *,
    max_steps: int | None = None,
    progress: bool = True,
    init_from: Path | None = None,
) -> VocoderRunResult:
    """Train (or resume) the run described by ``config``.

    ``init_from``: a vocoder weights directory (``model.safetensors`` + ``config.json``, e.g.
    the shipped ``vocoders/weights/vocos-emotts``) that starts a run with no checkpoint yet, so
    a new session continues from committed fp16 weights (the optimizer starts fresh).
    """
    started = time.perf_counter()
    data, settings = config.data, config.train
    if settings.threads is not None:
        torch.set_num_threads(settings.threads)
    steps = max_steps or settings.max_steps
    output = Path(settings.output_dir)
    checkpoints = output / "checkpoints"
    last = checkpoints / "last.ckpt"
    vocoder_dir = output / "vocoder"
    arch = _settings(config)

    def items(split: str, seconds: float | None):
        return build_vocoder_cache(
            data.manifests,
            Path(data.cache_dir) / split,
            split=split,
            target=data.target,
            seconds_per_speaker=seconds,
            seed=data.seed,
            progress=progress,
        )

    train_items = items("train", data.train_seconds_per_speaker)
    if not train_items:
        raise ConfigError(f"the manifests {data.manifests} have no 'train' utterances")
    val_items = items("val", data.val_seconds_per_speaker)
    train_set = SegmentDataset(train_items, data.segment_frames, arch.hop_length, seed=data.seed)
    val_set = (
        SegmentDataset(
            val_items, data.segment_frames * _VAL_SEGMENT_FACTOR, arch.hop_length, seed=1
        )
        if val_items
        else None
    )
    L.seed_everything(settings.seed, workers=True, verbose=False)
    module = VocoderTrainingModule(
        arch,
        config.loss.weights(),
        learning_rate=settings.learning_rate,
        warmup_steps=settings.warmup_steps,
        max_steps=steps,
        weight_decay=settings.weight_decay,
    )
    callbacks = [
        ModelCheckpoint(
            dirpath=checkpoints,
            filename="step={step}",
            auto_insert_metric_name=False,
            every_n_train_steps=settings.checkpoint_every_n_steps,
            save_last=True,
            save_top_k=0,
        ),
        FinalCheckpoint(last, settings.checkpoint_every_n_steps),
        VocoderExporter(vocoder_dir),
    ]
    trainer = L.Trainer(
        max_steps=steps,
        accelerator="auto",
        devices="auto",
        gradient_clip_val=settings.grad_clip,
        val_check_interval=settings.val_every_n_steps,
        check_val_every_n_epoch=None,
        limit_val_batches=None if val_set else 0,
        num_sanity_val_steps=0,
        logger=TensorBoardLogger(str(output), name="tensorboard", version=""),
        log_every_n_steps=settings.log_every_n_steps,
        callbacks=callbacks,
        plugins=[SafetensorsCheckpointIO()],
        enable_progress_bar=progress,
        enable_model_summary=progress,
        default_root_dir=str(output),
    )

    def loader(dataset, shuffle: bool) -> DataLoader:
        return DataLoader(
            dataset,
            batch_size=settings.batch_size,
            shuffle=shuffle,
            drop_last=shuffle,
            num_workers=settings.num_workers,
        )

    # The newest checkpoint that verifies (a damaged last.ckpt falls back to its previous).
    point = find_resume_point(checkpoints)
    for line in point.messages():
        print(line, file=sys.stderr)
    resume = point.path
    if init_from is not None and resume is None:
        start = VocosVocoder.from_directory(init_from)
        if start.settings != arch:
            raise ConfigError(
                f"--init-from {init_from} has the architecture {start.settings}; the config "
                f"asks for {arch}"
            )
        module.vocoder.load_state_dict(start.state_dict())
    trainer.fit(
        module,
        loader(train_set, shuffle=True),
        loader(val_set, shuffle=False) if val_set else None,
        ckpt_path=resume,
    )
    module.vocoder.save(vocoder_dir)
    return VocoderRunResult(
        output, vocoder_dir, resume, trainer.global_step, time.perf_counter() - started
    )
