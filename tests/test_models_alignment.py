"""Monotonic alignment search, the prior and the alignment losses."""

import numpy as np
import pytest
import torch

from emotts.models.alignment import (
    batched_monotonic_alignment_search,
    beta_binomial_log_prior,
    durations_to_alignment,
    forward_sum_loss,
    hard_durations,
    monotonic_alignment_search,
)


def _block_scores(durations: list[int]) -> np.ndarray:
    """Log-scores [T_ph, T_fr] that clearly favour the given durations."""
    total = sum(durations)
    scores = np.full((len(durations), total), -10.0)
    start = 0
    for i, d in enumerate(durations):
        scores[i, start : start + d] = 0.0
        start += d
    return scores


@pytest.mark.parametrize("durations", [[1, 1, 1], [3, 1, 5, 2], [10, 1, 1, 7], [1] * 12])
def test_mas_recovers_the_path(durations):
    assert monotonic_alignment_search(_block_scores(durations)).tolist() == durations


def test_mas_on_random_scores_is_a_valid_path():
    rng = np.random.default_rng(0)
    for n_text, n_mel in [(5, 5), (7, 40), (20, 21), (30, 300)]:
        durations = monotonic_alignment_search(rng.normal(size=(n_text, n_mel)))
        assert durations.sum() == n_mel
        assert (durations >= 1).all()


def test_mas_rejects_fewer_frames_than_phonemes():
    with pytest.raises(ValueError, match="cannot align"):
        monotonic_alignment_search(np.zeros((5, 3)))


def test_batched_torch_search_gives_the_numpy_durations():
    """The GPU path (run here on the CPU) against the per-utterance numpy loop, padding included."""
    rng = np.random.default_rng(1)
    lengths = [(5, 5), (7, 40), (20, 21), (30, 300), (1, 9), (12, 12)]
    n_text, n_mel = max(t for t, _ in lengths), max(m for _, m in lengths)
    scores = torch.from_numpy(rng.normal(size=(len(lengths), n_mel, n_text))).float()
    # Ties (flat scores) and the clear-cut block case go through the same tie rule.
    scores[4, :9, :1] = 0.0
    scores[5, :12, :12] = torch.from_numpy(_block_scores([1] * 12).T).float()
    scores[0, :5, :5] = 0.0
    text_lengths = torch.tensor([t for t, _ in lengths])
    mel_lengths = torch.tensor([m for _, m in lengths])

    batched = batched_monotonic_alignment_search(scores, text_lengths, mel_lengths)
    for b, (t, m) in enumerate(lengths):
        expected = monotonic_alignment_search(scores[b, :m, :t].numpy().T)
        assert batched[b, :t].tolist() == expected.tolist()
        assert (batched[b, t:] == 0).all()


def test_batched_search_rejects_fewer_frames_than_phonemes():
    with pytest.raises(ValueError, match="cannot align"):
        batched_monotonic_alignment_search(
            torch.zeros(1, 3, 5), torch.tensor([5]), torch.tensor([3])
        )


def test_durations_to_alignment_is_a_partition_of_frames():
    durations = torch.tensor([[2, 0, 3, 1], [1, 1, 0, 0]])
    alignment = durations_to_alignment(durations, 6)
    assert alignment.shape == (2, 4, 6)
    assert alignment[0].sum(0).tolist() == [1] * 6
    assert alignment[1].sum(0).tolist() == [1, 1, 0, 0, 0, 0]
    assert alignment.sum(-1).tolist() == durations.float().tolist()


def test_prior_favours_the_diagonal_and_masks_padding():
    prior = beta_binomial_log_prior(torch.tensor([4, 2]), torch.tensor([8, 3]))
    assert prior.shape == (2, 8, 4)
    best = prior[0].argmax(dim=1).tolist()
    assert best == sorted(best) and best[0] == 0 and best[-1] == 3
    assert (prior[1, 3:] == 0).all() and (prior[1, :, 2:] == 0).all()


def test_forward_sum_loss_prefers_monotonic_alignments():
    lengths, frames = torch.tensor([3]), torch.tensor([6])
    good = torch.log_softmax(torch.tensor(_block_scores([2, 2, 2]).T).unsqueeze(0).float() * 5, -1)
    reversed_ = good.flip(-1)
    assert forward_sum_loss(good, lengths, frames) < forward_sum_loss(reversed_, lengths, frames)
    durations = hard_durations(good, lengths, frames)
    assert durations.tolist() == [[2, 2, 2]]
