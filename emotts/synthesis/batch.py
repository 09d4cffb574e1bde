"""Many utterances through one synthesizer, sharing acoustic batches (dubbing, bulk jobs).

`SpeechSynthesizer.synthesize` batches the sentences of one text with one speaker and one set
of controls. Here every sentence of every utterance is a row of its own, with its own speaker,
controls and frame target, so rows from different utterances fill the same acoustic batch.
Rows are sorted by length before batching, which keeps padding (wasted compute) small.
Backend-neutral: only `run_acoustic` and `vocode` of the synthesizer are used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emotts.emotion.spec import EmotionSpec
from emotts.errors import ControlError
from emotts.synthesis.budget import join, plan_windows, reconcile, window_targets
from emotts.synthesis.controls import SynthesisControls, resolve_speaker, split_frames
from emotts.synthesis.inputs import build_inputs
from emotts.synthesis.pipeline import SpeechSynthesizer, coerce_emotion, sentence_scales
from emotts.synthesis.result import Audio, concatenate
from emotts.synthesis.sampling import FlowControls, FlowRun
from emotts.synthesis.timeline import sentence_pause_frames
from emotts.text.frontend import SentenceInput

#: Rows per acoustic call: large enough to amortize per-call cost, small enough for memory.
BATCH_ROWS = 16
# Controls that vary per row; the rest of the named inputs are per phoneme or fixed.
_ROW_CONTROLS = ("speed", "pitch_shift", "pitch_range", "energy_scale")


@dataclass(frozen=True)
class Utterance:
    """One text ready for the acoustic model: its sentences, speaker index and controls
    (``controls.duration`` is ignored here; targets are given to `acoustic_batch`)."""

    sentences: list[SentenceInput]
    speaker_id: int
    controls: SynthesisControls


@dataclass(frozen=True)
class SentenceAcoustic:
    """Acoustic output of one sentence: mel [80, T_fr] and durations [T_ph] in frames."""

    mel: np.ndarray
    durations: np.ndarray

    @property
    def frames(self) -> int:
        return int(self.mel.shape[1])


def prepare_utterance(
    synth: SpeechSynthesizer,
    text: str,
    emotion: EmotionSpec | str | None = None,
    *,
    speaker: str | int | None = None,
    controls: SynthesisControls | None = None,
) -> Utterance:
    """Run the front-end and validate; raises the `EmottsError` that `synthesize` would."""
    return Utterance(
        synth.frontend.process(text, coerce_emotion(emotion)),
        resolve_speaker(speaker, synth.speakers),
        controls or SynthesisControls(),
    )


def _run_rows(
    synth: SpeechSynthesizer,
    rows: list[tuple[SentenceInput, int, SynthesisControls, int]],
    batch_rows: int,
    flow: FlowControls,
    raw_intensity: bool,
) -> list[SentenceAcoustic]:
    """(sentence, speaker, controls, target frames or 0) rows -> acoustic output per row.

    A sentence over the voice's phoneme budget runs as several windows, joined back (and,
    with a target, brought to exactly its frames) as `SpeechSynthesizer.synthesize` does.
    """
    plans = [plan_windows(row[0], synth.phoneme_budget) for row in rows]
    targeted = [i for i, plan in enumerate(plans) if len(plan) > 1 and rows[i][3] > 0]
    natural_rows = [(w.sentence, rows[i][1], rows[i][2], 0) for i in targeted for w in plans[i]]
    natural = iter(
        _run_flat(synth, natural_rows, batch_rows, flow, raw_intensity) if natural_rows else []
    )
    windows: list[tuple[SentenceInput, int, SynthesisControls, int]] = []
    for plan, row in zip(plans, rows, strict=True):
        if len(plan) == 1:
            windows.append(row)
            continue
        targets = [0] * len(plan)
        if row[3] > 0:
            targets = window_targets(plan, [next(natural).durations for _ in plan], row[3])
        windows += [(w.sentence, row[1], row[2], t) for w, t in zip(plan, targets, strict=True)]
    flat = iter(_run_flat(synth, windows, batch_rows, flow, raw_intensity))
    results = []
    for plan, row in zip(plans, rows, strict=True):
        mel, durations = join(plan, [(part.mel, part.durations) for part in _take(flat, len(plan))])
        if len(plan) > 1 and row[3] > 0:
            mel, durations = reconcile(mel, durations, row[3])
        results.append(SentenceAcoustic(mel, durations))
    return results


def _take(items, count: int) -> list:
    return [next(items) for _ in range(count)]


def _run_flat(
    synth: SpeechSynthesizer,
    rows: list[tuple[SentenceInput, int, SynthesisControls, int]],
    batch_rows: int,
    flow: FlowControls,
    raw_intensity: bool,
) -> list[SentenceAcoustic]:
    """Rows within the budget -> acoustic output per row, sorted by length into batches."""
    sampling = synth.flow_request(flow)
    calibration = synth.calibration_for(raw_intensity)
    results: list[SentenceAcoustic | None] = [None] * len(rows)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i][0].phoneme_ids))
    for begin in range(0, len(order), batch_rows):
        picked = order[begin : begin + batch_rows]
        sentences = [rows[i][0] for i in picked]
        inputs = build_inputs(
            sentences,
            synth.labels,
            0,
            SynthesisControls(),
            [rows[i][3] for i in picked],
            sentence_scales(sentences),
            flow,
            calibration,
        )
        inputs["speaker_ids"] = np.asarray([rows[i][1] for i in picked], np.int64)
        for name in _ROW_CONTROLS:
            values = np.asarray([getattr(rows[i][2], name) for i in picked], np.float32)
            if name == "pitch_shift":  # per phoneme: the row's shift on top of SSML spans
                inputs[name] = inputs[name] + values[:, None]
            elif name == "pitch_range":
                inputs[name] = inputs[name] * values[:, None]
            else:
                inputs[name] = values
        # Noise by the row's place in the request, not in the length-sorted batches, so a
        # sentence's rendering does not change when other rows are added or removed.
        run = None if sampling is None else FlowRun(sampling, flow.seed, sentences=tuple(picked))
        out = synth.run_guided(inputs, run)
        for row, index in enumerate(picked):
            frames = int(out["mel_lengths"][row])
            results[index] = SentenceAcoustic(
                out["mel"][row, :, :frames],
                out["durations"][row, : len(rows[index][0].phoneme_ids)],
            )
    return results  # type: ignore[return-value]


def acoustic_batch(
    synth: SpeechSynthesizer,
    utterances: list[Utterance],
    total_frames: list[int | None] | None = None,
    natural: list[list[SentenceAcoustic]] | None = None,
    batch_rows: int = BATCH_ROWS,
    *,
    flow: FlowControls | None = None,
    raw_intensity: bool = False,
) -> list[list[SentenceAcoustic]]:
    """Acoustic output per sentence of each utterance.

    total_frames[i]: exact length in frames of utterance i (shared among its sentences in
    proportion to their natural lengths, as `synthesize(duration=...)` does), or None for its
    natural length. natural: a natural pass already computed for these utterances, reused for
    that sharing; without it, a natural pass runs for the multi-sentence utterances that need it.
    flow: a flow voice's guidance, avoided label, steps, temperature and seed (None: the
    voice's defaults; a regression voice refuses flow-only settings). raw_intensity: skip the
    voice's intensity calibration.
    """
    flow = flow or FlowControls()
    targets = total_frames or [None] * len(utterances)
    needs_natural = [
        i for i, t in enumerate(targets) if t is not None and len(utterances[i].sentences) > 1
    ]
    if needs_natural and natural is None:
        computed = acoustic_batch(
            synth,
            [utterances[i] for i in needs_natural],
            None,
            None,
            batch_rows,
            flow=flow,
            raw_intensity=raw_intensity,
        )
        natural = [[] for _ in utterances]
        for i, result in zip(needs_natural, computed, strict=True):
            natural[i] = result
    rows, owners = [], []
    for index, (utterance, target) in enumerate(zip(utterances, targets, strict=True)):
        if target is not None:
            # SSML breaks keep their exact length; the speech shares what is left.
            target -= sum(
                sentence_pause_frames(s, synth.frame_seconds) for s in utterance.sentences
            )
            if target < len(utterance.sentences):
                raise ControlError(
                    f"utterance {index}: its breaks leave fewer frames than it has sentences; "
                    "give it more time or shorter breaks"
                )
        if target is None:
            shares = [0] * len(utterance.sentences)
        elif len(utterance.sentences) == 1:
            shares = [target]
        else:
            shares = split_frames(target, [part.frames for part in natural[index]])  # type: ignore[index]
        for sentence, share in zip(utterance.sentences, shares, strict=True):
            rows.append((sentence, utterance.speaker_id, utterance.controls, share))
            owners.append(index)
    flat = _run_rows(synth, rows, batch_rows, flow, raw_intensity)
    grouped: list[list[SentenceAcoustic]] = [[] for _ in utterances]
    for owner, result in zip(owners, flat, strict=True):
        grouped[owner].append(result)
    return grouped


def vocode_utterance(
    synth: SpeechSynthesizer, utterance: Utterance, acoustic: list[SentenceAcoustic]
) -> Audio:
    """Vocode one utterance's sentences and join them into one `Audio` with timings."""
    return concatenate(
        [
            synth.render_sentence(sentence, part.mel, part.durations)
            for sentence, part in zip(utterance.sentences, acoustic, strict=True)
        ]
    )
