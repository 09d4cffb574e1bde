"""The emotion space: intensity, blends, polarity and the ADV path."""

import torch

from emotts.emotion.labels import LABEL_ADV, LABELS
from emotts.models.emotion_encoder import EmotionEncoder


def _encoder() -> EmotionEncoder:
    torch.manual_seed(0)
    prototypes = torch.tensor([LABEL_ADV[label] for label in LABELS])
    return EmotionEncoder(list(LABELS), prototypes, dim=8)


def _labels(weights: list[float], intensity: float = 1.0):
    w = torch.tensor(weights, dtype=torch.float32).view(1, 1, -1)
    return w, torch.zeros(1, 1, 3), torch.zeros(1, 1), torch.full((1, 1), intensity)


def test_intensity_zero_is_neutral_and_one_is_the_label():
    encoder = _encoder()
    happy = [0, 1, 0, 0, 0, 0, 0]
    assert torch.allclose(encoder(*_labels(happy, 0.0))[0, 0], encoder.neutral)
    assert torch.allclose(encoder(*_labels(happy, 1.0))[0, 0], encoder.label_embeddings[1])


def test_negative_intensity_mirrors_through_neutral():
    encoder = _encoder()
    happy = [0, 1, 0, 0, 0, 0, 0]
    plus = encoder(*_labels(happy, 0.7))[0, 0] - encoder.neutral
    minus = encoder(*_labels(happy, -0.7))[0, 0] - encoder.neutral
    assert torch.allclose(plus, -minus, atol=1e-6)


def test_blend_is_the_weighted_combination():
    encoder = _encoder()
    blend = encoder(*_labels([0, 0.6, 0, 0, 0.4, 0, 0]))[0, 0]
    expected = 0.6 * encoder.label_embeddings[1] + 0.4 * encoder.label_embeddings[4]
    assert torch.allclose(blend, expected, atol=1e-6)


def test_adv_path_uses_the_projection_and_consistency_training_aligns_it():
    encoder = _encoder()
    optimizer = torch.optim.Adam(encoder.adv_projection.parameters(), lr=1e-2)
    before = encoder.consistency_loss().item()
    for _ in range(300):
        optimizer.zero_grad()
        loss = encoder.consistency_loss()
        loss.backward()
        optimizer.step()
    assert encoder.consistency_loss().item() < before / 10
    adv = torch.tensor(LABEL_ADV["angry"]).view(1, 1, 3)
    from_adv = encoder(torch.zeros(1, 1, 7), adv, torch.ones(1, 1), torch.ones(1, 1))[0, 0]
    distances = (encoder.label_embeddings - from_adv).norm(dim=1)
    assert distances.argmin().item() == LABELS.index("angry")
