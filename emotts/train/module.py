"""The Lightning module: AcousticModel losses, AdamW, warmup then cosine decay."""

from __future__ import annotations

import math

import lightning as L
import torch

from emotts.errors import ConfigError
from emotts.models import AcousticConfig, AcousticModel

# The learning rate decays to this fraction of its peak by max_steps rather than to zero, so a
# run extended with a larger --max-steps still learns.
_FINAL_LR_FRACTION = 0.1


def warmup_cosine(step: int, warmup_steps: int, max_steps: int) -> float:
    """Learning-rate multiplier: linear warmup to 1, then cosine decay to a floor."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    span = max(max_steps - warmup_steps, 1)
    progress = min((step - warmup_steps) / span, 1.0)
    cosine = 0.5 * (1.0 + math.cos(math.pi * progress))
    return _FINAL_LR_FRACTION + (1.0 - _FINAL_LR_FRACTION) * cosine


class AcousticTrainingModule(L.LightningModule):
    """Trains an :class:`AcousticModel` on batches of :func:`emotts.data.collate.collate`.

    Gradient clipping is the Trainer's job (``gradient_clip_val``); this module only defines
    the losses, their logging and the optimizer.
    """

    def __init__(
        self,
        model_config: dict,
        *,
        learning_rate: float,
        warmup_steps: int,
        max_steps: int,
        weight_decay: float = 0.01,
        freeze: list[str] | None = None,
    ) -> None:
        super().__init__()
        # Plain JSON-able values only: they land in every checkpoint, which is stored as JSON.
        self.save_hyperparameters()
        self.model = AcousticModel(AcousticConfig.from_dict(model_config))
        self.frozen = self._freeze(list(freeze or []))

    def _freeze(self, names: list[str]) -> list[str]:
        """Stop training the named parts of the model (e.g. everything but a new decoder).

        Frozen parts get no gradients, are left out of the optimizer and stay in eval mode
        (no dropout), so they compute exactly what the voice they came from computes.
        """
        parts = dict(self.model.named_children())
        unknown = [name for name in names if name not in parts]
        if unknown:
            raise ConfigError(
                f"train.freeze names unknown model parts {unknown}; accepted: {', '.join(parts)}"
            )
        for name in names:
            parts[name].requires_grad_(False)
        return names

    def train(self, mode: bool = True) -> AcousticTrainingModule:
        super().train(mode)
        for name in self.frozen:
            getattr(self.model, name).eval()
        return self

    def _log_losses(self, losses: dict[str, torch.Tensor], stage: str, batch_size: int) -> None:
        on_step = stage == "train"
        for name, value in losses.items():
            self.log(
                f"{stage}/{name}",
                value.detach(),
                on_step=on_step,
                on_epoch=not on_step,
                prog_bar=name == "loss",
                batch_size=batch_size,
                # Under DDP every process sees part of the global batch: the logged figure is
                # their mean (one small all-reduce per value), not the first process's share.
                sync_dist=True,
            )

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        losses = self.model.training_losses(batch)
        self._log_losses(losses, "train", batch["phoneme_ids"].shape[0])
        self.log("train/lr", self.optimizers().param_groups[0]["lr"], on_step=True, on_epoch=False)
        return losses["loss"]

    def validation_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        losses = self.model.training_losses(batch)
        self._log_losses(losses, "val", batch["phoneme_ids"].shape[0])

    def configure_optimizers(self):
        hp = self.hparams
        trainable = [p for p in self.model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(trainable, lr=hp.learning_rate, weight_decay=hp.weight_decay)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: warmup_cosine(step, hp.warmup_steps, hp.max_steps)
        )
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": schedule, "interval": "step", "frequency": 1},
        }
