"""Training callbacks: TensorBoard samples (mel images, alignment, audio) and voice export."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Any

import lightning as L
import torch
from lightning.pytorch.loggers import TensorBoardLogger

from emotts.audio import AudioConfig
from emotts.models.annotations import training_inputs


def _figure(panels: list[tuple[str, torch.Tensor]]):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 2.6 * len(panels)), squeeze=False)
    for ax, (title, image) in zip(axes[:, 0], panels, strict=True):
        ax.imshow(image.float().cpu().numpy(), origin="lower", aspect="auto", interpolation="none")
        ax.set_title(title)
    fig.tight_layout()
    return fig


class SampleLogger(L.Callback):
    """Every ``every_n_steps``: mel images (target, teacher-forced, synthesized), the learned
    alignment, and vocoded audio of the first item of ``sample_batch``, in TensorBoard.

    Audio uses the named vocoder; if it cannot be loaded (e.g. its weights are not installed)
    images are still logged and a warning says why audio is missing.
    """

    def __init__(
        self,
        sample_batch: dict[str, torch.Tensor],
        every_n_steps: int,
        audio_config: AudioConfig,
        vocoder: str = "hifigan-universal",
    ) -> None:
        # Keep only the first utterance, unpadded, so samples are cheap and readable.
        n_ph = int(sample_batch["phoneme_lengths"][0])
        n_fr = int(sample_batch["mel_lengths"][0])
        self.sample = {}
        for key, value in sample_batch.items():
            value = value[:1]
            if key == "phoneme_ids":
                value = value[:, :n_ph]
            elif key == "mel":
                value = value[:, :, :n_fr]
            elif key in ("f0", "energy"):
                value = value[:, :n_fr]
            self.sample[key] = value
        self.every_n_steps = every_n_steps
        self.audio_config = audio_config
        self.vocoder_name = vocoder
        self._vocoder: Any = None
        self._vocoder_failed = False
        self._target_audio_logged = False

    def _vocode(self, mel: torch.Tensor) -> torch.Tensor | None:
        if self._vocoder is None and not self._vocoder_failed:
            from vocoders import load_vocoder

            try:
                self._vocoder = load_vocoder(self.vocoder_name)
            except Exception as error:  # noqa: BLE001 - missing weights must not stop training
                self._vocoder_failed = True
                warnings.warn(f"no audio samples in TensorBoard: {error}", stacklevel=2)
        if self._vocoder is None:
            return None
        with torch.no_grad():
            return self._vocoder(mel.float().cpu())[0].clamp(-1.0, 1.0)

    def on_train_batch_end(self, trainer: L.Trainer, pl_module: L.LightningModule, *args) -> None:
        step = trainer.global_step
        if self.every_n_steps <= 0 or step % self.every_n_steps or not trainer.is_global_zero:
            return
        if not isinstance(trainer.logger, TensorBoardLogger):
            return
        self.log_samples(trainer.logger.experiment, pl_module.model, step)

    @torch.no_grad()
    def log_samples(self, writer, model: torch.nn.Module, step: int) -> None:
        """Write the sample's images and audio at ``step`` to a SummaryWriter."""
        device = next(model.parameters()).device
        batch = {k: v.to(device) for k, v in self.sample.items()}
        was_training = model.training
        model.eval()
        try:
            outputs = model.training_outputs(batch)
            neutral = model.config.labels.index("neutral")
            mel, mel_lengths, *_ = model(**training_inputs(batch, neutral))
        finally:
            model.train(was_training)
        synthesized = mel[0, :, : int(mel_lengths[0])]
        panels = [("target mel", batch["mel"][0])]
        if outputs.predicted_mel is not None:
            panels.append(("teacher-forced prediction", outputs.predicted_mel[0]))
        panels.append(("synthesized (predicted durations)", synthesized))
        writer.add_figure("sample/mel", _figure(panels), step)
        writer.add_figure("sample/alignment", _figure([("alignment", outputs.alignment[0])]), step)
        rate = self.audio_config.sample_rate
        audio = self._vocode(synthesized.unsqueeze(0))
        if audio is not None:
            writer.add_audio("sample/synthesized", audio.unsqueeze(0), step, sample_rate=rate)
        if not self._target_audio_logged:
            target = self._vocode(batch["mel"][:1])
            if target is not None:
                writer.add_audio(
                    "sample/target_vocoded", target.unsqueeze(0), step, sample_rate=rate
                )
            self._target_audio_logged = True


class VoiceExporter(L.Callback):
    """Writes the voice directory (``save_voice``) whenever a checkpoint is saved, and at the end.

    The directory is written beside the old one and swapped in, so a reader (or a crash)
    never sees a half-written voice.
    """

    def __init__(
        self,
        directory: Path,
        *,
        audio_config: AudioConfig,
        language: str,
        symbols: list[str],
        extra: dict,
    ) -> None:
        self.directory = Path(directory)
        self.audio_config = audio_config
        self.language = language
        self.symbols = symbols
        self.extra = extra
        self._written_step: int | None = None

    def export(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if not trainer.is_global_zero or self._written_step == trainer.global_step:
            return
        from emotts.models.checkpoint import save_voice

        partial = self.directory.with_name(self.directory.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        save_voice(
            partial,
            pl_module.model,
            audio_config=self.audio_config,
            language=self.language,
            symbols=self.symbols,
            extra={**self.extra, "step": trainer.global_step},
        )
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            self.directory.rename(old)
        partial.rename(self.directory)
        shutil.rmtree(old, ignore_errors=True)
        self._written_step = trainer.global_step

    def on_save_checkpoint(
        self, trainer: L.Trainer, pl_module: L.LightningModule, checkpoint: dict
    ) -> None:
        self.export(trainer, pl_module)

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.export(trainer, pl_module)


class FinalCheckpoint(L.Callback):
    """Saves ``path`` when training ends between two periodic checkpoints, so a run whose
    ``max_steps`` is not a multiple of ``every_n_steps`` resumes from exactly where it stopped.

    When the periodic checkpoint has just been written it is left alone: Lightning's logging
    step counter differs between the two, and keeping the periodic one keeps a resumed run's
    TensorBoard curves gapless.
    """

    def __init__(self, path: Path, every_n_steps: int) -> None:
        self.path = Path(path)
        self.every_n_steps = every_n_steps

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.global_step % self.every_n_steps:
            trainer.save_checkpoint(self.path, weights_only=False)
