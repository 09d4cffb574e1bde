"""Many utterances through one synthesizer, sharing acoustic batches (dubbing, bulk jobs).

`SpeechSynthesizer.synthesize` batches the sentences of one text with one speaker and one set
of controls. Here every sentence of every utterance is a row of its own, with its own speaker,
controls and frame target, so rows from different utterances fill the same acoustic batch.
Rows are sorted by length before batching, which keeps padding (wasted compute) small.
Backend-neutral: only `run_acoustic` and `vocode` of the synthesizer are used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

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


class _Row(NamedTuple):
    """One sentence (or window of one) to run: its speaker, controls, frame target (0: its
    natural length) and noise key (`sentence_noise`)."""

    sentence: SentenceInput
    speaker: int
    controls: SynthesisControls
    target: int
    key: tuple[int, ...]


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
    rows: list[_Row],
    batch_rows: int,
    flow: FlowControls,
    raw_intensity: bool,
) -> list[SentenceAcoustic]:
    """Rows -> acoustic output per row.

    A sentence over the voice's phoneme budget runs as several windows, joined back (and,
    with a target, brought to exactly its frames) as `SpeechSynthesizer.synthesize` does.
    Window w of a row draws noise key ``(*row.key, w)``, both in the natural pass that shares
    the target and in the targeted one.
    """
    plans = [plan_windows(row.sentence, synth.phoneme_budget) for row in rows]

    def windows_of(index: int, targets: list[int]) -> list[_Row]:
        row = rows[index]
        return [
            row._replace(sentence=window.sentence, target=target, key=(*row.key, w))
            for w, (window, target) in enumerate(zip(plans[index], targets, strict=True))
        ]

    targeted = [i for i, plan in enumerate(plans) if len(plan) > 1 and rows[i].target > 0]
    natural_rows = [w for i in targeted for w in windows_of(i, [0] * len(plans[i]))]
    natural = iter(
        _run_flat(synth, natural_rows, batch_rows, flow, raw_intensity) if natural_rows else []
    )
    windows: list[_Row] = []
    for index, (plan, row) in enumerate(zip(plans, rows, strict=True)):
        if len(plan) == 1:
            windows.append(row)
            continue
        targets = [0] * len(plan)
        if row.target > 0:
            targets = window_targets(plan, [next(natural).durations for _ in plan], row.target)
        windows += windows_of(index, targets)
    flat = iter(_run_flat(synth, windows, batch_rows, flow, raw_intensity))
    results = []
    for plan, row in zip(plans, rows, strict=True):
        mel, durations = join(plan, [(part.mel, part.durations) for part in _take(flat, len(plan))])
        if len(plan) > 1 and row.target > 0:
            mel, durations = reconcile(mel, durations, row.target)
        results.append(SentenceAcoustic(mel, durations))
    return results


def _take(items, count: int) -> list:
    return [next(items) for _ in range(count)]


def _run_flat(
    synth: SpeechSynthesizer,
    rows: list[_Row],
    batch_rows: int,
    flow: FlowControls,
    raw_intensity: bool,
) -> list[SentenceAcoustic]:
    """Rows within the budget -> acoustic output per row, sorted by length into batches."""
    sampling = synth.flow_request(flow)
    calibration = synth.calibration_for(raw_intensity)
    results: list[SentenceAcoustic | None] = [None] * len(rows)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i].sentence.phoneme_ids))
    for begin in range(0, len(order), batch_rows):
        picked = order[begin : begin + batch_rows]
        sentences = [rows[i].sentence for i in picked]
        inputs = build_inputs(
            sentences,
            synth.labels,
            0,
            SynthesisControls(),
            [rows[i].target for i in picked],
            sentence_scales(sentences),
            flow,
            calibration,
        )
        inputs["speaker_ids"] = np.asarray([rows[i].speaker for i in picked], np.int64)
        for name in _ROW_CONTROLS:
            values = np.asarray([getattr(rows[i].controls, name) for i in picked], np.float32)
            if name == "pitch_shift":  # per phoneme: the row's shift on top of SSML spans
                inputs[name] = inputs[name] + values[:, None]
            elif name == "pitch_range":
                inputs[name] = inputs[name] * values[:, None]
            else:
                inputs[name] = values
        # Noise by the row's own key, not its place in the length-sorted batches or in this
        # call, so a sentence's rendering does not change when other rows are added or removed.
        keys = tuple(rows[i].key for i in picked)
        run = None if sampling is None else FlowRun(sampling, flow.seed, sentences=keys)
        out = synth.run_guided(inputs, run)
        for row, index in enumerate(picked):
            frames = int(out["mel_lengths"][row])
            results[index] = SentenceAcoustic(
                out["mel"][row, :, :frames],
                out["durations"][row, : len(rows[index].sentence.phoneme_ids)],
            )
    return results  # type: ignore[return-value]


#: Values of a noise key: one 32-bit word each, so that distinct keys are distinct seeds.
_KEY_LIMIT = 2**32


def _check_keys(keys: Sequence[tuple[int, ...]], count: int) -> list[tuple[int, ...]]:
    """One distinct key per utterance, all of one length (a shorter key plus a sentence index
    could equal a longer one), each value an integer in [0, 2**32)."""
    keys = list(keys)
    if len(keys) != count:
        raise ControlError(f"{len(keys)} noise keys for {count} utterances; give one each")
    for key in keys:
        if not (
            isinstance(key, tuple)
            and key
            and len(key) == len(keys[0])
            and all(isinstance(k, int) and not isinstance(k, bool) for k in key)
            and all(0 <= k < _KEY_LIMIT for k in key)
        ):
            raise ControlError(
                f"noise key {key!r} is invalid; accepted: tuples of one length of integers "
                f"in [0, {_KEY_LIMIT})"
            )
    if len(set(keys)) != len(keys):
        raise ControlError("two utterances have the same noise key; keys must be distinct")
    return keys


def acoustic_batch(
    synth: SpeechSynthesizer,
    utterances: list[Utterance],
    total_frames: list[int | None] | None = None,
    natural: list[list[SentenceAcoustic]] | None = None,
    batch_rows: int = BATCH_ROWS,
    *,
    flow: FlowControls | None = None,
    raw_intensity: bool = False,
    keys: Sequence[tuple[int, ...]] | None = None,
) -> list[list[SentenceAcoustic]]:
    """Acoustic output per sentence of each utterance.

    total_frames[i]: exact length in frames of utterance i (shared among its sentences in
    proportion to their natural lengths, as `synthesize(duration=...)` does), or None for its
    natural length. natural: a natural pass already computed for these utterances, reused for
    that sharing; without it, a natural pass runs for the multi-sentence utterances that need it.
    flow: a flow voice's guidance, avoided label, steps, temperature and seed (None: the
    voice's defaults; a regression voice refuses flow-only settings). raw_intensity: skip the
    voice's intensity calibration.
    keys: a flow voice's noise per utterance (None: ``(i,)`` for utterance i): sentence j of
    utterance i draws `sentence_noise` key ``(*keys[i], j)``, whatever else is in the call, so
    the same key, text and settings render the same in any call, and a caller that renders its
    utterances over several calls (a dub's chunks, the retimed pass) gives each a stable key.
    """
    flow = flow or FlowControls()
    keys = _check_keys(keys or [(i,) for i in range(len(utterances))], len(utterances))
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
            keys=[keys[i] for i in needs_natural],
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
        for position, (sentence, share) in enumerate(zip(utterance.sentences, shares, strict=True)):
            key = (*keys[index], position)
            rows.append(_Row(sentence, utterance.speaker_id, utterance.controls, share, key))
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
