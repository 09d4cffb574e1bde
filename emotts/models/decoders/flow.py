"""Conditional flow-matching decoder (OT-CFM, as in Matcha-TTS) with emotion guidance.

Training (Lipman et al. 2023, Matcha-TTS): for a target mel x1, noise x0 ~ N(0, I) and
t ~ U(0, 1), the network regresses the straight-path velocity::

    x_t = (1 - (1 - sigma_min) t) x0 + t x1,     u = x1 - (1 - sigma_min) x0

In a ``condition_dropout`` share of utterances the emotion part of the condition is replaced
by a learned null vector, so one network learns both v(e) and v(e_null); the speaker part is
always kept (guidance acts on emotion only). Inference integrates the ODE with
`emotts.synthesis.sampling.solve` and combines the emotion, null and avoided-emotion passes
(`guidance_coefficients`) in one batched network call per step.

The flow runs on normalized mels ``(mel - mel_mean) / mel_std`` so that N(0, I) noise and the
target have comparable scales, which keeps few-step Euler paths short.
"""

from __future__ import annotations

import torch
from einops import rearrange, repeat
from torch import nn

from emotts.errors import ConfigError
from emotts.models.decoders.base import MelDecoder
from emotts.models.decoders.velocity import VelocityNetwork
from emotts.synthesis.sampling import FlowSampling, guidance_coefficients, solve


class FlowDecoder(MelDecoder):
    """OT-CFM mel decoder; the condition is ``[emotion (emotion_dim), speaker (rest)]``.

    Args:
        channels: H, width of the frames.
        condition_dim: C, width of the per-frame condition.
        n_mels: mel bands.
        emotion_dim: D, how many leading condition channels are the emotion vector (the part
            that condition dropout and guidance replace).
        inner, kernel, layers, time_dim: velocity network sizes (`VelocityNetwork`).
        condition_dropout: share of training utterances whose emotion is the null vector.
        sigma_min: width of the target distribution around x1 (OT-CFM).
        mel_mean, mel_std: normalization of the log-mel the flow runs on (natural-log mels of
            the HiFi-GAN front-end span about -11.5..2 with most speech energy near -6).
        steps, temperature, solver: the voice's default sampling (`FlowSampling`).
    """

    def __init__(
        self,
        channels: int,
        condition_dim: int,
        n_mels: int,
        emotion_dim: int,
        inner: int = 576,
        kernel: int = 7,
        layers: int = 6,
        time_dim: int = 64,
        condition_dropout: float = 0.2,
        sigma_min: float = 1e-4,
        mel_mean: float = -6.0,
        mel_std: float = 2.0,
        steps: int = 4,
        temperature: float = 1.0,
        solver: str = "euler",
    ) -> None:
        super().__init__()
        if not 0 < emotion_dim <= condition_dim:
            raise ConfigError(
                f"decoder emotion_dim {emotion_dim} is invalid; accepted: 1..{condition_dim}"
            )
        if not 0.0 <= condition_dropout < 1.0:
            raise ConfigError(
                f"decoder condition_dropout {condition_dropout} is invalid; accepted: [0, 1)"
            )
        self.channels = channels
        self.condition_dim = condition_dim
        self.emotion_dim = emotion_dim
        self.n_mels = n_mels
        self.condition_dropout = condition_dropout
        self.sigma_min = sigma_min
        self.mel_mean = mel_mean
        self.mel_std = mel_std
        self.default_sampling = FlowSampling(steps, temperature, solver)
        self.network = VelocityNetwork(
            channels, inner, kernel, layers, condition_dim, n_mels, time_dim
        )
        self.null_emotion = nn.Parameter(torch.zeros(emotion_dim))

    def null_condition(self, condition: torch.Tensor) -> torch.Tensor:
        """condition [B, T, C] with its emotion part replaced by the learned null vector."""
        null = self.null_emotion.to(condition.dtype).expand(*condition.shape[:2], -1)
        return torch.cat([null, condition[..., self.emotion_dim :]], dim=-1)

    def loss(
        self,
        frames: torch.Tensor,
        mask: torch.Tensor,
        condition: torch.Tensor,
        target_mel: torch.Tensor,
    ) -> tuple[torch.Tensor, None]:
        batch = frames.shape[0]
        drop = torch.rand(batch, device=frames.device) < self.condition_dropout
        condition = torch.where(drop[:, None, None], self.null_condition(condition), condition)
        x1 = (target_mel - self.mel_mean) / self.mel_std
        x0 = torch.randn_like(x1)
        t = torch.rand(batch, device=frames.device, dtype=x1.dtype)
        along = t[:, None, None]
        x_t = (1.0 - (1.0 - self.sigma_min) * along) * x0 + along * x1
        target_velocity = x1 - (1.0 - self.sigma_min) * x0
        velocity = self.network(x_t, t, frames, mask, condition)
        weights = mask.unsqueeze(1).to(x1.dtype)
        error = ((velocity - target_velocity) ** 2) * weights
        return error.sum() / (weights.sum() * self.n_mels).clamp(min=1.0), None

    def guided_velocity(
        self,
        x: torch.Tensor,
        t: torch.Tensor,
        frames: torch.Tensor,
        mask: torch.Tensor,
        conditions: torch.Tensor,
        coefficients: torch.Tensor,
    ) -> torch.Tensor:
        """sum_p coefficients[p] * v(x, t | conditions[p]), all P passes in one network call.

        Args:
            x: [B, n_mels, T]; t: [B] flow time.
            frames: [B, T, H]; mask: [B, T].
            conditions: [P, B, T, C] one condition per pass (emotion, null, avoid...).
            coefficients: [P, B, T] weight of each pass per frame.
        Returns:
            [B, n_mels, T]
        """
        passes = conditions.shape[0]
        velocity = self.network(
            repeat(x, "b m t -> (p b) m t", p=passes),
            repeat(t, "b -> (p b)", p=passes),
            repeat(frames, "b t h -> (p b) t h", p=passes),
            repeat(mask, "b t -> (p b) t", p=passes),
            rearrange(conditions, "p b t c -> (p b) t c"),
        )
        velocity = rearrange(velocity, "(p b) m t -> p b m t", p=passes)
        return (velocity * rearrange(coefficients, "p b t -> p b 1 t")).sum(dim=0)

    def guidance_passes(
        self,
        condition: torch.Tensor,
        guidance: torch.Tensor | None = None,
        avoid_condition: torch.Tensor | None = None,
        avoid_guidance: torch.Tensor | None = None,
        *,
        keep_all: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The passes a guided step needs: (conditions [P, B, T, C], coefficients [P, B, T]).

        guidance: [B, T] w (None: 1); avoid_condition: [B, T, C] the avoided emotion's
        condition; avoid_guidance: [B, T] w_neg (None: 0). Passes whose coefficient is zero on
        every frame are left out, so plain conditional synthesis is a single pass; with
        ``keep_all`` (an exported graph, whose shapes cannot depend on values) all three are
        returned and `emotts.synthesis.sampling.active_passes` drops them later.
        """
        if keep_all:
            if avoid_condition is None or guidance is None or avoid_guidance is None:
                raise ValueError("keep_all needs guidance, avoid_condition and avoid_guidance")
            w, w_neg = guidance.to(condition.dtype), avoid_guidance.to(condition.dtype)
            conditions = (condition, self.null_condition(condition), avoid_condition)
            return torch.stack(conditions), torch.stack(guidance_coefficients(w, w_neg))
        ones = torch.ones(condition.shape[:2], dtype=condition.dtype, device=condition.device)
        w = ones if guidance is None else guidance.to(condition.dtype)
        w_neg = ones * 0.0 if avoid_guidance is None else avoid_guidance.to(condition.dtype)
        if avoid_condition is None and bool((w_neg != 0).any()):
            raise ValueError("avoid_guidance is set but no avoid_condition was given")
        candidates = zip(
            (condition, self.null_condition(condition), avoid_condition),
            guidance_coefficients(w, w_neg),
            strict=True,
        )
        kept = [
            (pass_condition, coefficient)
            for index, (pass_condition, coefficient) in enumerate(candidates)
            if index == 0 or bool((coefficient != 0).any())
        ]
        return (
            torch.stack([pass_condition for pass_condition, _ in kept]),
            torch.stack([coefficient for _, coefficient in kept]),
        )

    def generate(
        self,
        frames: torch.Tensor,
        mask: torch.Tensor,
        condition: torch.Tensor,
        *,
        guidance: torch.Tensor | None = None,
        avoid_condition: torch.Tensor | None = None,
        avoid_guidance: torch.Tensor | None = None,
        noise: torch.Tensor | None = None,
        sampling: FlowSampling | None = None,
    ) -> torch.Tensor:
        """Sample a mel [B, n_mels, T] (zero on padding).

        Args:
            frames: [B, T, H]; mask: [B, T]; condition: [B, T, C].
            guidance, avoid_condition, avoid_guidance: see `guidance_passes`.
            noise: [B, n_mels, T] standard normal starting point (None: drawn with torch);
                pass the same noise for the same rendering.
            sampling: steps, temperature and solver (None: the voice's defaults).
        """
        conditions, coefficients = self.guidance_passes(
            condition, guidance, avoid_condition, avoid_guidance
        )
        return self.sample(frames, mask, conditions, coefficients, noise=noise, sampling=sampling)

    def sample(
        self,
        frames: torch.Tensor,
        mask: torch.Tensor,
        conditions: torch.Tensor,
        coefficients: torch.Tensor,
        *,
        noise: torch.Tensor | None = None,
        sampling: FlowSampling | None = None,
    ) -> torch.Tensor:
        """Sample a mel [B, n_mels, T] from prepared passes (`guidance_passes`).

        Args:
            frames: [B, T, H]; mask: [B, T]; conditions: [P, B, T, C]; coefficients: [P, B, T].
            noise, sampling: as in `generate`.
        """
        sampling = sampling or self.default_sampling
        if noise is None:
            noise = torch.randn(frames.shape[0], self.n_mels, frames.shape[1], device=frames.device)
        keep = mask.unsqueeze(1).to(frames.dtype)

        def velocity(x: torch.Tensor, t: float) -> torch.Tensor:
            time = torch.full((x.shape[0],), t, dtype=x.dtype, device=x.device)
            return self.guided_velocity(x, time, frames, mask, conditions, coefficients)

        x = solve(velocity, noise.to(frames.dtype) * keep, sampling)
        return (x * self.mel_std + self.mel_mean) * keep
