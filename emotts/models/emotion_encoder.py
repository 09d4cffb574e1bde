"""One learned emotion space for labels, blends, intensity and ADV.

Label embeddings ``E_k`` (neutral included) and an ADV projection ``g`` live in the same
space. For a per-phoneme control::

    target = use_adv * g(adv) + (1 - use_adv) * sum_k w_k E_k
    v      = E_neutral + intensity * (target - E_neutral)

so intensity 0 is neutral, 1 is as trained, >1 extrapolates and <0 flips polarity, and a blend
is a convex combination of label directions. ``g`` is trained to agree with the labels through
a consistency loss: g(a * prototype_adv_k) = E_neutral + a (E_k - E_neutral). Being part of the
module, this math is exported with the acoustic graph rather than re-implemented at serving.
"""

from __future__ import annotations

import torch
from torch import nn


class EmotionEncoder(nn.Module):
    """Maps per-phoneme emotion controls to emotion vectors.

    Args:
        labels: the voice's label names; must contain "neutral".
        label_adv: [K, 3] prototype (arousal, dominance, valence) per label; NaN rows are
            labels without a prototype (excluded from the consistency loss).
        dim: D, the emotion vector width.
    """

    def __init__(self, labels: list[str], label_adv: torch.Tensor, dim: int) -> None:
        super().__init__()
        self.neutral_index = labels.index("neutral")
        self.label_embeddings = nn.Parameter(torch.randn(len(labels), dim) * 0.3)
        self.adv_projection = nn.Sequential(
            nn.Linear(3, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, dim)
        )
        self.register_buffer("label_adv", label_adv.float().clone())

    @property
    def neutral(self) -> torch.Tensor:
        """E_neutral: [D]."""
        return self.label_embeddings[self.neutral_index]

    def forward(
        self,
        label_weights: torch.Tensor,
        adv: torch.Tensor,
        use_adv: torch.Tensor,
        intensity: torch.Tensor,
    ) -> torch.Tensor:
        """Emotion vectors per phoneme.

        Args:
            label_weights: [B, T, K] blend weights (rows sum to 1 where labels are used).
            adv: [B, T, 3] arousal, dominance, valence in [-1, 1].
            use_adv: [B, T] 1.0 where the ADV path is used, 0.0 for labels.
            intensity: [B, T] emotion strength (0 neutral, 1 as trained).
        Returns:
            [B, T, D]
        """
        from_labels = label_weights @ self.label_embeddings
        from_adv = self.adv_projection(adv)
        gate = use_adv.unsqueeze(-1)
        target = gate * from_adv + (1.0 - gate) * from_labels
        return self.neutral + intensity.unsqueeze(-1) * (target - self.neutral)

    def consistency_loss(self, samples: int = 32) -> torch.Tensor:
        """Mean squared disagreement between g(a * adv_k) and E_neutral + a (E_k - E_neutral).

        Intensities ``a`` are drawn in [0, 1.5] so the ADV path is calibrated along each
        label's whole direction, not only at its prototype; a = 0 anchors g(0) to neutral.
        """
        known = ~torch.isnan(self.label_adv).any(dim=1)
        prototypes = self.label_adv[known]
        embeddings = self.label_embeddings[known]
        scale = torch.rand(samples, 1, 1, device=prototypes.device) * 1.5
        scale[0] = 0.0
        projected = self.adv_projection(scale * prototypes.unsqueeze(0))
        expected = self.neutral + scale * (embeddings.unsqueeze(0) - self.neutral)
        return ((projected - expected) ** 2).mean()
