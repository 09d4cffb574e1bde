"""Lightning module that trains a :class:`vocoders.vocos.VocosVocoder` on (mel, wave) segments."""

from __future__ import annotations

import lightning as L
import torch

from emotts.train.module import warmup_cosine
from emotts.train.vocoder_losses import LossWeights, VocoderLoss
from vocoders.vocos import VocosSettings, VocosVocoder


class VocoderTrainingModule(L.LightningModule):
    """Batch ``{"mel": [B, 80, F], "wave": [B, F * hop]}``; loss from :class:`VocoderLoss`."""

    def __init__(
        self,
        settings: VocosSettings,
        weights: LossWeights,
        learning_rate: float,
        warmup_steps: int,
        max_steps: int,
        weight_decay: float,
    ) -> None:
        super().__init__()
        self.vocoder = VocosVocoder(settings)
        self.loss = VocoderLoss(weights)
        self.learning_rate = learning_rate
        self.warmup_steps = warmup_steps
        self.max_steps = max_steps
        self.weight_decay = weight_decay

    def _step(self, batch: dict[str, torch.Tensor], stage: str) -> torch.Tensor:
        generated = self.vocoder(batch["mel"])
        total, parts = self.loss(generated, batch["wave"])
        size = batch["mel"].shape[0]
        on_step = stage == "train"
        self.log(f"{stage}/loss", total, batch_size=size, prog_bar=True, on_step=on_step, on_epoch=not on_step)
        for name, value in parts.items():
            self.log(f"{stage}/{name}", value, batch_size=size, on_step=on_step, on_epoch=not on_step)
        return total

    def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
        return self._step(batch, "train")

    def validation_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> None:
        self._step(batch, "val")

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(
            self.vocoder.parameters(),
            lr=self.learning_rate,
            betas=(0.8, 0.99),
            weight_decay=self.weight_decay,
        )
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: warmup_cosine(step, self.warmup_steps, self.max_steps)
        )
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}
