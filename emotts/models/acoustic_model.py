"""The emotion-controllable acoustic model: FastSpeech2 with learned alignment.

Data flow (shapes for a batch of B utterances, T_ph phonemes, T_fr frames)::

    controls --EmotionEncoder--> e[B, T_ph, D]; speaker -> s[B, S]; condition = [e, s]
    ids --TextEncoder(condition)--> h[B, T_ph, H]
    h --VarianceAdaptor--> log-duration, pitch, energy [B, T_ph]
    h + pitch/energy embeddings --length regulator(durations)--> frames[B, T_fr, H]
    frames --MelDecoder(condition per frame)--> mel[B, 80, T_fr]   (type from config.decoder)

With ``config.pitch_target == "frame"`` pitch leaves the variance adaptor: after length
regulation `FramePitch` predicts a log-F0 contour [B, T_fr] from the frames, their condition
and their positions, the user's pitch controls (expanded to frames by the durations) apply to
it, and its embedding is added to the frames before the decoder. The "pitch" output stays
[B, T_ph]: each phoneme's mean of the controlled contour.

In training the durations come from monotonic alignment search over the aligner's soft
alignment; at inference from the duration predictor under the user's controls.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from emotts.errors import ConfigError
from emotts.models.alignment import (
    Aligner,
    beta_binomial_log_prior,
    binarization_loss,
    durations_to_alignment,
    forward_sum_loss,
    hard_durations,
)
from emotts.models.annotations import annotation_controls
from emotts.models.config import AcousticConfig
from emotts.models.decoders import build_decoder
from emotts.models.decoders.flow import FlowDecoder
from emotts.models.emotion_encoder import EmotionEncoder
from emotts.models.layers import lengths_to_mask
from emotts.models.pitch_contour import (
    FramePitch,
    frame_pitch_target,
    frame_positions,
    phoneme_means,
    to_frames,
)
from emotts.models.text_encoder import TextEncoder
from emotts.models.variance_adaptor import (
    VarianceAdaptor,
    control_durations,
    control_energy,
    control_pitch,
)
from emotts.synthesis.sampling import active_passes


def _label_prototypes(labels: list[str]) -> torch.Tensor:
    """[K, 3] prototype ADV per label from the published table; NaN where a label has none."""
    from emotts.emotion.labels import LABEL_ADV

    rows = [LABEL_ADV.get(label, (float("nan"),) * 3) for label in labels]
    return torch.tensor(rows, dtype=torch.float32)


def _masked_mse(prediction: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    weights = mask.to(prediction.dtype)
    return (((prediction - target) ** 2) * weights).sum() / weights.sum().clamp(min=1.0)


@dataclass(frozen=True)
class TrainingOutputs:
    """losses: name -> scalar ("loss" is the total); alignment: [B, T_ph, T_fr] hard alignment
    from monotonic alignment search; predicted_mel: [B, 80, T_fr] teacher-forced decoder output,
    or None for a decoder that does not produce one in training (both detached)."""

    losses: dict[str, torch.Tensor]
    alignment: torch.Tensor
    predicted_mel: torch.Tensor | None


@dataclass(frozen=True)
class AlignedBatch:
    """A training batch encoded and timed by the aligner on its recorded mel (B utterances,
    T_ph phonemes, T_fr recorded frames): text_mask [B, T_ph] and mel_mask [B, T_fr] (True on
    real positions), condition [B, T_ph, D + S], encoder output hidden [B, T_ph, H], the
    aligner's log_attention [B, T_fr, T_ph], hard durations [B, T_ph] (int64, from monotonic
    alignment search) and their alignment [B, T_ph, T_fr] (0/1)."""

    text_mask: torch.Tensor
    mel_mask: torch.Tensor
    condition: torch.Tensor
    hidden: torch.Tensor
    log_attention: torch.Tensor
    durations: torch.Tensor
    alignment: torch.Tensor


class AcousticModel(nn.Module):
    """Text + emotion + speaker -> mel, with durations and phoneme pitch/energy exposed."""

    def __init__(self, config: AcousticConfig) -> None:
        super().__init__()
        self.config = config
        c = config
        self.emotion_encoder = EmotionEncoder(c.labels, _label_prototypes(c.labels), c.emotion_dim)
        self.speaker_embedding = nn.Embedding(c.n_speakers, c.speaker_dim)
        self.text_encoder = TextEncoder(
            c.n_symbols,
            c.hidden,
            c.encoder_layers,
            c.encoder_heads,
            c.encoder_ff,
            c.encoder_kernel,
            c.condition_dim,
            c.dropout,
        )
        frame_pitch = c.pitch_target == "frame"
        self.variance_adaptor = VarianceAdaptor(
            c.hidden,
            c.predictor_filters,
            c.predictor_kernel,
            c.condition_dim,
            c.dropout,
            phoneme_pitch=not frame_pitch,
        )
        # Only a frame-pitch voice has this module, so phoneme voices' weights are unchanged.
        self.frame_pitch = (
            FramePitch(c.hidden, c.predictor_filters, c.condition_dim, c.dropout)
            if frame_pitch
            else None
        )
        self.aligner = Aligner(c.hidden, c.n_mels, temperature=c.aligner_temperature)
        self.decoder = build_decoder(
            c.decoder,
            channels=c.hidden,
            condition_dim=c.condition_dim,
            n_mels=c.n_mels,
            emotion_dim=c.emotion_dim,
        )
        self.register_buffer("training_step", torch.zeros((), dtype=torch.long))

    def _condition(
        self,
        label_weights: torch.Tensor,
        adv: torch.Tensor,
        use_adv: torch.Tensor,
        intensity: torch.Tensor,
        speaker_ids: torch.Tensor,
    ) -> torch.Tensor:
        """Per-phoneme condition [B, T_ph, D + S] from controls [B, T_ph, ...] and speakers [B]."""
        emotion = self.emotion_encoder(label_weights, adv, use_adv, intensity)
        speaker = self.speaker_embedding(speaker_ids).unsqueeze(1).expand(-1, emotion.shape[1], -1)
        return torch.cat([emotion, speaker], dim=-1)

    def training_losses(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """All training losses for a batch (keys per docs/architecture.md); "loss" is the total."""
        return self.training_outputs(batch).losses

    def align(self, batch: dict[str, torch.Tensor], prefer_adv: torch.Tensor) -> AlignedBatch:
        """Encode a batch and time it by the aligner on its recorded mel (see `AlignedBatch`).

        prefer_adv: [B] bool, which utterances with both a label and ADV are conditioned on
            their ADV (training draws it at random; analysis passes all False for labels).
        """
        ids, text_lengths = batch["phoneme_ids"], batch["phoneme_lengths"]
        mel, mel_lengths = batch["mel"], batch["mel_lengths"]
        text_mask = lengths_to_mask(text_lengths, ids.shape[1])
        mel_mask = lengths_to_mask(mel_lengths, mel.shape[2])
        controls = annotation_controls(
            batch, ids.shape[1], self.emotion_encoder.neutral_index, prefer_adv
        )
        condition = self._condition(**controls, speaker_ids=batch["speaker_ids"])
        embedded = self.text_encoder.embed(ids)
        hidden = self.text_encoder(embedded, text_mask, condition)
        log_prior = beta_binomial_log_prior(text_lengths, mel_lengths)[
            :, : mel.shape[2], : ids.shape[1]
        ]
        log_attention = self.aligner(embedded, mel, text_mask, log_prior)
        durations = hard_durations(log_attention, text_lengths, mel_lengths)
        alignment = durations_to_alignment(durations, mel.shape[2])  # [B, T_ph, T_fr]
        return AlignedBatch(
            text_mask, mel_mask, condition, hidden, log_attention, durations, alignment
        )

    def training_outputs(self, batch: dict[str, torch.Tensor]) -> TrainingOutputs:
        """The losses of a batch plus what logging shows of it: the hard alignment and the
        teacher-forced mel (see `TrainingOutputs`)."""
        c = self.config
        text_lengths, mel_lengths = batch["phoneme_lengths"], batch["mel_lengths"]
        mel = batch["mel"]
        has_label = batch["has_label"]
        prefer_adv = torch.rand(has_label.shape, device=has_label.device) < 0.5
        a = self.align(batch, prefer_adv)
        text_mask, mel_mask, condition, hidden = a.text_mask, a.mel_mask, a.condition, a.hidden
        log_attention, durations, alignment = a.log_attention, a.durations, a.alignment

        f0 = batch["f0"]
        energy = (batch["energy"] - c.energy_mean) / c.energy_std
        frame_counts = durations.unsqueeze(-1).to(mel.dtype).clamp(min=1.0)
        energy_target = ((alignment @ (energy * mel_mask).unsqueeze(-1)) / frame_counts).squeeze(-1)

        log_duration, pitch, energy_prediction = self.variance_adaptor.predict(
            hidden, text_mask, condition
        )
        if self.frame_pitch is None:
            voiced = (f0 > 0).to(mel.dtype) * mel_mask.to(mel.dtype)
            log_f0 = (torch.log(f0.clamp(min=1.0)) - c.pitch_mean) / c.pitch_std
            voiced_frames = alignment @ voiced.unsqueeze(-1)
            pitch_target = (
                (alignment @ (log_f0 * voiced).unsqueeze(-1)) / voiced_frames.clamp(min=1.0)
            ).squeeze(-1)
            pitch_mask = text_mask & (voiced_frames.squeeze(-1) > 0)
            hidden = self.variance_adaptor.embed(hidden, pitch_target, energy_target)
        else:
            hidden = self.variance_adaptor.embed(hidden, None, energy_target)
        frames = alignment.transpose(1, 2) @ hidden
        frame_condition = alignment.transpose(1, 2) @ condition
        if self.frame_pitch is not None:
            # Teacher forcing: the decoder sees the recorded contour, the predictor learns it
            # on voiced frames only (the interpolated ones are not measurements).
            pitch_target, pitch_mask = frame_pitch_target(f0, mel_mask, c.pitch_mean, c.pitch_std)
            positions = frame_positions(durations, alignment)
            pitch = self.frame_pitch.predict(frames, mel_mask, frame_condition, positions)
            frames = self.frame_pitch.embed(frames, pitch_target)
        mel_loss, predicted_mel = self.decoder.loss(frames, mel_mask, frame_condition, mel)

        if self.training:
            self.training_step += 1
        warmup = (self.training_step.float() / max(c.bin_loss_warmup_steps, 1)).clamp(max=1.0)
        losses = {
            "mel": mel_loss,
            "duration": _masked_mse(log_duration, torch.log1p(durations.to(mel.dtype)), text_mask),
            "pitch": _masked_mse(pitch, pitch_target, pitch_mask),
            "energy": _masked_mse(energy_prediction, energy_target, text_mask),
            "align_forward_sum": forward_sum_loss(log_attention, text_lengths, mel_lengths),
            "align_binarization": binarization_loss(alignment, log_attention),
            "emotion_consistency": self.emotion_encoder.consistency_loss(),
        }
        losses["loss"] = (
            losses["mel"]
            + losses["duration"]
            + losses["pitch"]
            + losses["energy"]
            + losses["align_forward_sum"]
            + c.bin_loss_weight * warmup * losses["align_binarization"]
            + c.emotion_consistency_weight * losses["emotion_consistency"]
        )
        return TrainingOutputs(
            losses,
            alignment.detach(),
            predicted_mel.detach() if predicted_mel is not None else None,
        )

    def forward(
        self,
        phoneme_ids: torch.Tensor,
        phoneme_lengths: torch.Tensor,
        label_weights: torch.Tensor,
        adv: torch.Tensor,
        use_adv: torch.Tensor,
        intensity: torch.Tensor,
        speaker_ids: torch.Tensor,
        duration_scale: torch.Tensor,
        speed: torch.Tensor,
        target_frames: torch.Tensor,
        pitch_shift: torch.Tensor,
        pitch_range: torch.Tensor,
        energy_scale: torch.Tensor,
        guidance: torch.Tensor,
        avoid_weights: torch.Tensor,
        avoid_guidance: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Inference with every control as a named tensor input (a regression voice's exported
        graph; a flow voice exports `prepare` and samples outside the graph).

        Args: one tensor per entry of `emotts.synthesis.inputs.ACOUSTIC_INPUT_SPECS`, in its
            order; the names, dtypes, shapes ([B] per sentence, [B, T_ph] per phoneme, label
            weights [B, T_ph, K], ADV [B, T_ph, 3], avoid_weights [B, K]) and neutral values
            are defined there once (tests/test_synthesis_inputs.py keeps this signature equal
            to it). A regression decoder has no use for the guidance inputs.
        Returns:
            mel [B, 80, T_fr], mel_lengths [B], durations [B, T_ph] int64,
            pitch [B, T_ph] and energy [B, T_ph] (normalized, after controls). A flow decoder
            samples from fresh torch noise with the voice's default steps (`Voice` feeds
            seeded noise through `prepare` + `FlowDecoder.sample` instead).
        """
        if isinstance(self.decoder, FlowDecoder):
            frames, mask, conditions, coefficients, mel_lengths, durations, pitch, energy = (
                self.prepare(
                    phoneme_ids, phoneme_lengths, label_weights, adv, use_adv, intensity,
                    speaker_ids, duration_scale, speed, target_frames, pitch_shift, pitch_range,
                    energy_scale, guidance, avoid_weights, avoid_guidance,
                )
            )  # fmt: skip
            conditions, coefficients = active_passes(conditions, coefficients)
            mel = self.decoder.sample(frames, mask, conditions, coefficients)
            return mel, mel_lengths, durations, pitch, energy
        regulated = self.regulate(
            phoneme_ids, phoneme_lengths, label_weights, adv, use_adv, intensity, speaker_ids,
            duration_scale, speed, target_frames, pitch_shift, pitch_range, energy_scale,
        )  # fmt: skip
        mel = self.decoder.generate(regulated.frames, regulated.mask, regulated.frame_condition)
        return mel, regulated.mel_lengths, regulated.durations, regulated.pitch, regulated.energy

    def prepare(
        self,
        phoneme_ids: torch.Tensor,
        phoneme_lengths: torch.Tensor,
        label_weights: torch.Tensor,
        adv: torch.Tensor,
        use_adv: torch.Tensor,
        intensity: torch.Tensor,
        speaker_ids: torch.Tensor,
        duration_scale: torch.Tensor,
        speed: torch.Tensor,
        target_frames: torch.Tensor,
        pitch_shift: torch.Tensor,
        pitch_range: torch.Tensor,
        energy_scale: torch.Tensor,
        guidance: torch.Tensor,
        avoid_weights: torch.Tensor,
        avoid_guidance: torch.Tensor,
    ) -> tuple[torch.Tensor, ...]:
        """A flow voice up to its decoder (its exported acoustic graph): the same inputs as
        `forward`, and the outputs `emotts.synthesis.inputs.FLOW_PREPARED_OUTPUTS`:

        frames [B, T_fr, H], frame_mask [B, T_fr] bool, conditions [3, B, T_fr, C] and
        coefficients [3, B, T_fr] (the emotion, null and avoided-emotion passes, all three:
        `active_passes` drops unused ones outside the graph), mel_lengths [B],
        durations [B, T_ph], pitch and energy [B, T_ph].
        """
        if not isinstance(self.decoder, FlowDecoder):
            raise ConfigError(
                f"prepare() is the first half of a flow voice; this voice's decoder is "
                f"{self.config.decoder['type']}"
            )
        regulated = self.regulate(
            phoneme_ids, phoneme_lengths, label_weights, adv, use_adv, intensity, speaker_ids,
            duration_scale, speed, target_frames, pitch_shift, pitch_range, energy_scale,
        )  # fmt: skip
        ones = torch.ones_like(intensity)
        avoided = self._condition(
            avoid_weights.unsqueeze(1).expand(-1, phoneme_ids.shape[1], -1),
            torch.zeros_like(adv),
            torch.zeros_like(use_adv),
            ones,
            speaker_ids,
        )
        to_frames = regulated.alignment.transpose(1, 2)  # [B, T_fr, T_ph]
        keep = regulated.mask.to(guidance.dtype)
        conditions, coefficients = self.decoder.guidance_passes(
            regulated.frame_condition,
            (to_frames @ guidance.unsqueeze(-1)).squeeze(-1),
            to_frames @ avoided,
            avoid_guidance.unsqueeze(1) * keep,
            keep_all=True,
        )
        return (
            regulated.frames,
            regulated.mask,
            conditions,
            coefficients,
            regulated.mel_lengths,
            regulated.durations,
            regulated.pitch,
            regulated.energy,
        )

    def regulate(
        self,
        phoneme_ids: torch.Tensor,
        phoneme_lengths: torch.Tensor,
        label_weights: torch.Tensor,
        adv: torch.Tensor,
        use_adv: torch.Tensor,
        intensity: torch.Tensor,
        speaker_ids: torch.Tensor,
        duration_scale: torch.Tensor,
        speed: torch.Tensor,
        target_frames: torch.Tensor,
        pitch_shift: torch.Tensor,
        pitch_range: torch.Tensor,
        energy_scale: torch.Tensor,
    ) -> RegulatedFrames:
        """Encoder and variance adaptor under the controls, length-regulated to frames (the
        inputs of `forward`; a frame-pitch voice's contour is in ``frame_pitch``)."""
        c = self.config
        text_mask = lengths_to_mask(phoneme_lengths, phoneme_ids.shape[1])
        condition = self._condition(label_weights, adv, use_adv, intensity, speaker_ids)
        hidden = self.text_encoder(self.text_encoder.embed(phoneme_ids), text_mask, condition)
        log_duration, pitch, energy = self.variance_adaptor.predict(hidden, text_mask, condition)
        durations = control_durations(log_duration, text_mask, duration_scale, speed, target_frames)
        if pitch is not None:
            pitch = control_pitch(pitch, text_mask, pitch_shift, pitch_range, c.pitch_std)
        energy = control_energy(energy, text_mask, energy_scale, c.energy_mean, c.energy_std)
        hidden = self.variance_adaptor.embed(hidden, pitch, energy)
        mel_lengths = durations.sum(dim=1)
        alignment = durations_to_alignment(durations, mel_lengths.max())
        frames = alignment.transpose(1, 2) @ hidden
        frame_condition = alignment.transpose(1, 2) @ condition
        mel_mask = lengths_to_mask(mel_lengths, frames.shape[1])
        contour = None
        if self.frame_pitch is not None:
            positions = frame_positions(durations, alignment)
            contour = self.frame_pitch.predict(frames, mel_mask, frame_condition, positions)
            # The phoneme-level controls, expanded by the durations: the same transform as a
            # phoneme voice's, over frames (the utterance mean is the mean of its frames).
            contour = control_pitch(
                contour,
                mel_mask,
                to_frames(pitch_shift, alignment),
                to_frames(pitch_range, alignment),
                c.pitch_std,
            )
            frames = self.frame_pitch.embed(frames, contour)
            pitch = phoneme_means(contour, alignment)
        return RegulatedFrames(
            frames,
            mel_mask,
            frame_condition,
            alignment,
            mel_lengths,
            durations,
            pitch,
            energy,
            contour,
        )


@dataclass(frozen=True)
class RegulatedFrames:
    """The model up to its decoder: frames [B, T_fr, H], mask [B, T_fr], frame_condition
    [B, T_fr, C], alignment [B, T_ph, T_fr], mel_lengths [B], durations [B, T_ph], pitch and
    energy [B, T_ph]; frame_pitch [B, T_fr] the controlled contour of a frame-pitch voice
    (None for a phoneme voice)."""

    frames: torch.Tensor
    mask: torch.Tensor
    frame_condition: torch.Tensor
    alignment: torch.Tensor
    mel_lengths: torch.Tensor
    durations: torch.Tensor
    pitch: torch.Tensor
    energy: torch.Tensor
    frame_pitch: torch.Tensor | None = None
