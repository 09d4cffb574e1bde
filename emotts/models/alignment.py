"""Alignment learned inside the model (no external aligner exists here).

Following the "one TTS alignment" recipe (Badlani et al., 2022): a small aligner scores every
(mel frame, phoneme) pair, a forward-sum (CTC) loss makes the soft alignment explain the mel
monotonically, a beta-binomial prior keeps early training near the diagonal, and monotonic
alignment search (MAS) turns the soft alignment into integer durations. A binarization loss
pulls the soft alignment towards the hard one once it has formed.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class Aligner(nn.Module):
    """Scores mel frames against phoneme embeddings.

    Args:
        text_channels: width of the phoneme embeddings.
        n_mels: mel bands.
        channels: width of the shared comparison space.
        temperature: scale of the squared distance before the softmax.
    """

    def __init__(
        self, text_channels: int, n_mels: int, channels: int = 80, temperature: float = 0.0005
    ):
        super().__init__()
        self.temperature = temperature
        self.key = nn.Sequential(
            nn.Conv1d(text_channels, 2 * text_channels, 3, padding=1),
            nn.ReLU(),
            nn.Conv1d(2 * text_channels, channels, 1),
        )
        self.query = nn.Sequential(
            nn.Conv1d(n_mels, 2 * n_mels, 3, padding=1),
            nn.ReLU(),
            nn.Conv1d(2 * n_mels, n_mels, 1),
            nn.ReLU(),
            nn.Conv1d(n_mels, channels, 1),
        )

    def forward(
        self,
        text: torch.Tensor,
        mel: torch.Tensor,
        text_mask: torch.Tensor,
        log_prior: torch.Tensor,
    ) -> torch.Tensor:
        """Log-probabilities of each phoneme for each frame.

        Args:
            text: [B, T_ph, H] phoneme embeddings.
            mel: [B, 80, T_fr] target mel.
            text_mask: [B, T_ph] True on real phonemes.
            log_prior: [B, T_fr, T_ph] log beta-binomial prior.
        Returns:
            log_attention: [B, T_fr, T_ph], log-softmax over phonemes (padding at -inf-ish).
        """
        keys = self.key(text.transpose(1, 2))  # [B, C, T_ph]
        queries = self.query(mel)  # [B, C, T_fr]
        # ||q - k||^2 expanded into matmuls: the broadcast difference would materialize a
        # [B, C, T_fr, T_ph] tensor, which dominates training time and memory on a CPU.
        distance = (
            (queries**2).sum(dim=1).unsqueeze(2)
            - 2.0 * queries.transpose(1, 2) @ keys
            + (keys**2).sum(dim=1).unsqueeze(1)
        )  # [B, T_fr, T_ph]
        scores = F.log_softmax(-self.temperature * distance, dim=-1) + log_prior
        scores = scores.masked_fill(~text_mask.unsqueeze(1), -1e4)
        return F.log_softmax(scores, dim=-1)


def beta_binomial_log_prior(
    text_lengths: torch.Tensor, mel_lengths: torch.Tensor, scale: float = 1.0
) -> torch.Tensor:
    """Log prior [B, T_fr, T_ph] favouring a diagonal path.

    Frame j of N frames draws a phoneme from BetaBinomial(n = T_ph - 1, a = scale * (j + 1),
    b = scale * (N - j)); padded positions get 0.
    """
    max_text = int(text_lengths.max())
    max_mel = int(mel_lengths.max())
    prior = torch.zeros(len(text_lengths), max_mel, max_text)
    for b, (n_text, n_mel) in enumerate(
        zip(text_lengths.tolist(), mel_lengths.tolist(), strict=True)
    ):
        prior[b, :n_mel, :n_text] = _single_log_prior(n_text, n_mel, scale)
    return prior.to(text_lengths.device)


# Every epoch asks for the same (phonemes, frames) pairs again, and the lgamma terms cost about
# 0.2 s per batch of 16 on a CPU; one float32 matrix per utterance (~150 KB) is cheap to keep.
@functools.lru_cache(maxsize=16384)
def _single_log_prior(n_text: int, n_mel: int, scale: float) -> torch.Tensor:
    """Log prior [n_mel, n_text] of one utterance (see beta_binomial_log_prior); do not modify."""
    k = torch.arange(n_text, dtype=torch.float64)
    frame = torch.arange(n_mel, dtype=torch.float64).unsqueeze(1)
    a = scale * (frame + 1)
    bb = scale * (n_mel - frame)
    n = n_text - 1
    log_pmf = (
        torch.lgamma(torch.tensor(n + 1.0))
        - torch.lgamma(k + 1)
        - torch.lgamma(n - k + 1)
        + torch.lgamma(k + a)
        + torch.lgamma(n - k + bb)
        - torch.lgamma(n + a + bb)
        - (torch.lgamma(a) + torch.lgamma(bb) - torch.lgamma(a + bb))
    )
    return log_pmf.float()


def forward_sum_loss(
    log_attention: torch.Tensor, text_lengths: torch.Tensor, mel_lengths: torch.Tensor
) -> torch.Tensor:
    """CTC loss that every phoneme is visited in order; log_attention: [B, T_fr, T_ph]."""
    blank = torch.full_like(log_attention[..., :1], -1.0)
    log_probs = F.log_softmax(torch.cat([blank, log_attention], dim=-1), dim=-1)
    targets = torch.arange(1, log_attention.shape[-1] + 1, device=log_attention.device)
    targets = targets.unsqueeze(0).expand(len(text_lengths), -1)
    return F.ctc_loss(
        log_probs.transpose(0, 1),
        targets,
        mel_lengths,
        text_lengths,
        blank=0,
        reduction="mean",
        zero_infinity=True,
    )


def monotonic_alignment_search(log_attention: np.ndarray) -> np.ndarray:
    """Most likely monotonic path through log_attention [T_ph, T_fr] -> durations [T_ph].

    Every frame belongs to exactly one phoneme, phonemes advance by at most one per frame and
    every phoneme gets at least one frame (so T_fr >= T_ph is required).
    """
    n_text, n_mel = log_attention.shape
    if n_mel < n_text:
        raise ValueError(f"cannot align {n_text} phonemes to only {n_mel} frames")
    best = np.full((n_text, n_mel), -np.inf)
    best[0, 0] = log_attention[0, 0]
    for j in range(1, n_mel):
        stay = best[:, j - 1]
        advance = np.concatenate(([-np.inf], best[:-1, j - 1]))
        best[:, j] = np.maximum(stay, advance) + log_attention[:, j]
    durations = np.zeros(n_text, dtype=np.int64)
    i = n_text - 1
    for j in range(n_mel - 1, -1, -1):
        durations[i] += 1
        if i > 0 and (i == j or best[i - 1, j - 1] > best[i, j - 1]):
            i -= 1
    return durations


def batched_monotonic_alignment_search(
    log_attention: torch.Tensor, text_lengths: torch.Tensor, mel_lengths: torch.Tensor
) -> torch.Tensor:
    """MAS for a whole batch in torch: log_attention [B, T_fr, T_ph] -> durations [B, T_ph] long.

    Same path as :func:`monotonic_alignment_search` per utterance (same float64 sums, same tie
    rule), but the loops run over frames only, with every utterance and phoneme at once, so
    the work stays on the GPU instead of a copy to the CPU and B Python loops. Padded phonemes
    never reach a real one (paths only move to higher indices), and padded frames are never
    walked back through, so padding needs no masking.
    """
    scores = log_attention.detach().double()
    batch, n_mel, n_text = scores.shape
    if bool((mel_lengths < text_lengths).any()):
        raise ValueError("cannot align an utterance with fewer frames than phonemes")
    unreachable = torch.full((batch, 1), -torch.inf, dtype=scores.dtype, device=scores.device)
    best = unreachable.expand(batch, n_text).clone()
    best[:, 0] = scores[:, 0, 0]
    # advanced[b, j, i]: the best path into phoneme i at frame j came from phoneme i - 1.
    advanced = torch.zeros(batch, n_mel, n_text, dtype=torch.bool, device=scores.device)
    for j in range(1, n_mel):
        advance = torch.cat([unreachable, best[:, :-1]], dim=1)
        advanced[:, j] = advance > best
        best = torch.maximum(best, advance) + scores[:, j]
    rows = torch.arange(batch, device=scores.device)
    phoneme = (text_lengths - 1).to(scores.device).long()
    mel_lengths = mel_lengths.to(scores.device)
    durations = torch.zeros(batch, n_text, dtype=torch.long, device=scores.device)
    for j in range(n_mel - 1, -1, -1):
        active = j < mel_lengths
        durations[rows, phoneme] += active.long()
        step_back = active & (phoneme > 0) & ((phoneme == j) | advanced[rows, j, phoneme])
        phoneme = phoneme - step_back.long()
    return durations


def hard_durations(
    log_attention: torch.Tensor, text_lengths: torch.Tensor, mel_lengths: torch.Tensor
) -> torch.Tensor:
    """MAS over a batch: log_attention [B, T_fr, T_ph] -> integer durations [B, T_ph].

    On a GPU the batched torch search runs where the scores are; on the CPU the numpy loop
    per utterance is cheaper than torch's per-operation overhead on small tensors.
    """
    if log_attention.device.type != "cpu":
        return batched_monotonic_alignment_search(log_attention, text_lengths, mel_lengths)
    scores = log_attention.detach().float().cpu().numpy()
    durations = torch.zeros(log_attention.shape[0], log_attention.shape[2], dtype=torch.long)
    for b, (n_text, n_mel) in enumerate(
        zip(text_lengths.tolist(), mel_lengths.tolist(), strict=True)
    ):
        path = monotonic_alignment_search(scores[b, :n_mel, :n_text].T)
        durations[b, :n_text] = torch.from_numpy(path)
    return durations.to(log_attention.device)


def durations_to_alignment(durations: torch.Tensor, n_frames: int | torch.Tensor) -> torch.Tensor:
    """Integer durations [B, T_ph] -> hard alignment [B, T_ph, T_fr] (1 where frame j is phoneme i).

    Built from comparisons with cumulative sums (no data-dependent loops or .item()), so it
    traces into ONNX with dynamic lengths.
    """
    ends = torch.cumsum(durations, dim=1)
    starts = ends - durations
    frames = torch.arange(n_frames, device=durations.device).view(1, 1, -1)
    return ((frames >= starts.unsqueeze(-1)) & (frames < ends.unsqueeze(-1))).to(torch.float32)


def binarization_loss(hard: torch.Tensor, log_attention: torch.Tensor) -> torch.Tensor:
    """-mean log soft-attention on the hard path; hard: [B, T_ph, T_fr], log_attention: [B, T_fr, T_ph]."""
    on_path = log_attention.transpose(1, 2).clamp(min=-1e4) * hard
    return -on_path.sum() / hard.sum().clamp(min=1.0)
