"""The synthesis pipeline shared by every backend (numpy only).

text -> front-end -> named inputs -> acoustic model -> mel -> vocoder -> `Audio` with timings.
A backend (torch `Voice`, onnxruntime `OnnxVoice`) only says how to run the acoustic model and
the vocoder; controls, batching, exact durations, streaming and timings live here once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import replace

import numpy as np

from emotts.audio.config import AudioConfig
from emotts.emotion.calibration import IntensityCalibration
from emotts.emotion.from_clip import ClipPaths
from emotts.emotion.from_text import AutoEmotion, is_auto, parse_auto
from emotts.emotion.spec import EmotionSpec, parse_emotion
from emotts.errors import ControlError, EmotionSpecError
from emotts.synthesis.budget import PHONEME_BUDGET, join, plan_windows, reconcile, window_targets
from emotts.synthesis.chunking import ChunkPlan, vocode_chunks
from emotts.synthesis.controls import SynthesisControls, resolve_speaker, split_frames
from emotts.synthesis.inputs import build_inputs
from emotts.synthesis.long_sentence import long_sentence_pieces, windowed_pieces
from emotts.synthesis.pitch_edges import PITCH_RAMP_DEFAULT
from emotts.synthesis.result import Audio, concatenate, sentence_audio, time_slice
from emotts.synthesis.sampling import FlowControls, FlowRun, FlowSampling
from emotts.synthesis.timeline import lay_out, sentence_pause_frames
from emotts.text.frontend import SentenceInput, TextFrontend
from emotts.text.ssml import PitchReference
from emotts.text.symbols import SymbolTable

# Rows (sentences, or windows of a long one) run together in one acoustic batch: bounds
# memory for long texts.
BATCH_SENTENCES = 8
#: A sentence longer than this (frames, about 12 s) is vocoded in chunks even by
#: `synthesize`, so the vocoder's working memory does not grow with the sentence.
LONG_SENTENCE_FRAMES = 1024
# Context of those chunks for a vocoder that does not say its receptive field (Griffin-Lim).
_DEFAULT_CHUNK_CONTEXT = 32


def coerce_emotion(emotion: EmotionSpec | AutoEmotion | str | None) -> EmotionSpec | AutoEmotion:
    """None -> neutral; a string in the command-line syntax -> parsed ("auto" -> read from the
    text); a spec or an `AutoEmotion` -> itself."""
    if emotion is None:
        return EmotionSpec.neutral()
    if isinstance(emotion, EmotionSpec | AutoEmotion):
        return emotion
    if isinstance(emotion, str):
        return parse_auto(emotion) if is_auto(emotion) else parse_emotion(emotion)
    raise EmotionSpecError(
        f"emotion must be an Emotion, a string such as 'happy', 'happy:0.6,sad:0.4' or 'auto', "
        f"or None; got {type(emotion).__name__}"
    )


def _default_emotion(
    emotion: EmotionSpec | AutoEmotion | str | None, emotion_from: ClipPaths | None
) -> EmotionSpec | AutoEmotion:
    """The utterance default: ``emotion``, or the judged emotion of the ``emotion_from`` clips."""
    if emotion_from is None:
        return coerce_emotion(emotion)
    if emotion is not None:
        raise EmotionSpecError(
            "both emotion and emotion_from are given; accepted: one of them (to change the "
            "clip's estimate, call estimate_clip_emotion(clips).spec(...) and pass it as emotion)"
        )
    from emotts.emotion.from_clip import estimate_clip_emotion

    return estimate_clip_emotion(emotion_from).spec()


def sentence_scales(sentences: list[SentenceInput]) -> list[np.ndarray]:
    """Per-phoneme duration scales (``<prosody rate>`` spans) of each sentence, as float32."""
    return [
        np.asarray(s.duration_scales or np.ones(len(s.phoneme_ids)), np.float32) for s in sentences
    ]


class SpeechSynthesizer(ABC):
    """Text (+ markup) and emotion in, `Audio` out; subclasses run the two networks.

    Args:
        audio_config: the voice's mel front-end settings.
        language: espeak-ng voice for the phonemizer.
        symbols: the voice's phoneme symbol list.
        pitch: the voice's pitch statistics (for SSML pitch values in Hz), None if unknown.
        calibration: the voice's intensity calibration (`IntensityCalibration`), None when
            it has none (requested intensities then go to the model as they are).
    """

    def __init__(
        self,
        audio_config: AudioConfig,
        language: str,
        symbols: list[str],
        pitch: PitchReference | None = None,
        calibration: IntensityCalibration | None = None,
    ) -> None:
        self.audio_config = audio_config
        self.language = language
        self.intensity_calibration = calibration
        self.frontend = TextFrontend(SymbolTable.from_list(symbols), language, pitch)

    @property
    @abstractmethod
    def labels(self) -> list[str]:
        """Emotion labels of the voice, in the model's column order."""

    @property
    @abstractmethod
    def speakers(self) -> list[str]:
        """Speaker names of the voice."""

    @abstractmethod
    def run_acoustic(
        self, inputs: dict[str, np.ndarray], flow: FlowRun | None = None
    ) -> dict[str, np.ndarray]:
        """Named inputs (`ACOUSTIC_INPUTS`) -> named outputs (`ACOUSTIC_OUTPUTS`) as arrays.

        ``flow``: a flow voice's steps, temperature, seed and the index of the batch's first
        sentence (its noise); None: the voice's defaults and fresh noise. Regression voices
        are never given one.
        """

    @property
    def flow_sampling(self) -> FlowSampling | None:
        """A flow-matching voice's default sampling; None for a regression voice."""
        return None

    @property
    def decoder_type(self) -> str:
        """The acoustic model's decoder (``convnext``, ``flow``), for messages."""
        return "flow" if self.flow_sampling is not None else "convnext"

    def flow_request(self, flow: FlowControls) -> FlowSampling | None:
        """The sampling ``flow`` asks for on this voice, None on a regression voice (which
        refuses the flow-only settings instead of ignoring them)."""
        if self.flow_sampling is None:
            if flow.flow_only:
                given = flow.flow_only
                raise ControlError(
                    f"{', '.join(given)} {'needs' if len(given) == 1 else 'need'} a "
                    f"flow-matching voice; this voice's decoder is {self.decoder_type} "
                    "(e.g. --voice emotts/voices/flow)"
                )
            return None
        return flow.sampling(self.flow_sampling)

    @abstractmethod
    def vocode(self, mel: np.ndarray) -> np.ndarray:
        """[80, T_fr] log-mel -> float32 waveform of T_fr * hop samples."""

    @property
    def vocoder_context_frames(self) -> int | None:
        """Mel frames each side that the vocoder needs to make one frame's samples exactly;
        None: the vocoder is not local (a chunk needs the whole mel)."""
        return None

    @property
    def chunk_plan(self) -> ChunkPlan | None:
        """How `stream` cuts a sentence's mel for vocoding; None vocodes it whole."""
        context = self.vocoder_context_frames
        return None if context is None else ChunkPlan(context_frames=context)

    @property
    def sample_rate(self) -> int:
        return self.audio_config.sample_rate

    def calibration_for(self, raw_intensity: bool) -> IntensityCalibration | None:
        """The calibration a request uses: none with ``raw_intensity``, else the voice's."""
        return None if raw_intensity else self.intensity_calibration

    def synthesize(
        self,
        text: str,
        emotion: EmotionSpec | AutoEmotion | str | None = None,
        *,
        speaker: str | int | None = None,
        speed: float = 1.0,
        duration: float | None = None,
        pitch_shift: float = 0.0,
        pitch_range: float = 1.0,
        energy_scale: float = 1.0,
        ssml: bool | None = None,
        ssml_lenient: bool = False,
        emotion_from: ClipPaths | None = None,
        guidance: float | None = None,
        avoid: str | None = None,
        avoid_guidance: float | None = None,
        steps: int | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        raw_intensity: bool = False,
        pitch_ramp: int = PITCH_RAMP_DEFAULT,
    ) -> Audio:
        """Speak ``text`` (inline emotion markup or SSML) with ``emotion`` as the default.

        ``emotion_from``: one or more audio clips whose judged emotion (averaged) replaces
        ``emotion`` (give one of the two; `estimate_clip_emotion` shows the estimate).
        ``ssml``: None reads SSML when the text starts with ``<speak`` (or ``<?xml``), True
        always (a text without ``<speak>`` is read as if wrapped in one), False never.
        ``ssml_lenient``: speak the text of unsupported SSML elements and skip unsupported
        attributes, listing them in ``Audio.ignored``, instead of raising.
        ``duration`` (seconds) is met to within half a frame (hop / sample rate / 2); breaks
        keep their length and the other frames are shared among sentences in proportion to
        their natural lengths. A duration shorter than the text's phonemes at one frame each
        (plus its breaks) is refused with the minimum.

        Flow-matching voices only (a regression voice raises `ControlError`): ``guidance`` w
        scales the emotion (1 as trained, 0 none, 2-3 stronger; ``<emotion guidance=...>``
        spans set their own), ``avoid`` names a label to steer away from with weight
        ``avoid_guidance`` (default 1), ``steps`` and ``temperature`` override the voice's
        sampler. ``seed`` fixes the sampling noise: the same seed gives the same audio, on
        either backend and whether synthesized or streamed.
        ``raw_intensity``: send intensities to the model as requested, ignoring the voice's
        intensity calibration (the behaviour before calibration; see docs/emotion-control.md).
        ``pitch_ramp``: phonemes over which each SSML pitch span's step is spread (1 = hard
        steps; the default is the measured choice, docs/emotion-control.md).
        """
        parts = self.synthesize_parts(
            text,
            emotion,
            speaker=speaker,
            speed=speed,
            duration=duration,
            pitch_shift=pitch_shift,
            pitch_range=pitch_range,
            energy_scale=energy_scale,
            pitch_ramp=pitch_ramp,
            ssml=ssml,
            ssml_lenient=ssml_lenient,
            emotion_from=emotion_from,
            guidance=guidance,
            avoid=avoid,
            avoid_guidance=avoid_guidance,
            steps=steps,
            temperature=temperature,
            seed=seed,
            raw_intensity=raw_intensity,
        )
        pieces = list(parts)
        audio = concatenate(pieces)
        audio.ignored = list(pieces[0].ignored)
        return audio

    def synthesize_parts(
        self,
        text: str,
        emotion: EmotionSpec | AutoEmotion | str | None = None,
        *,
        speaker: str | int | None = None,
        speed: float = 1.0,
        duration: float | None = None,
        pitch_shift: float = 0.0,
        pitch_range: float = 1.0,
        energy_scale: float = 1.0,
        pitch_ramp: int = PITCH_RAMP_DEFAULT,
        ssml: bool | None = None,
        ssml_lenient: bool = False,
        emotion_from: ClipPaths | None = None,
        guidance: float | None = None,
        avoid: str | None = None,
        avoid_guidance: float | None = None,
        steps: int | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        raw_intensity: bool = False,
    ) -> Iterator[Audio]:
        """`synthesize` as consecutive `Audio` pieces (concatenated, they equal it), for
        writing a long text to a file without holding all of its audio (`emotts synth -o`).

        The request is validated and the text read before the first piece; sentences are
        then prepared, run and vocoded a bounded batch at a time (a long sentence in vocoder
        chunks), so memory does not grow with the text. With ``duration``, every sentence's
        natural length is needed first, so the whole text is prepared up front (the output
        is at most `MAX_DURATION_SECONDS` long). The first piece carries ``ignored``.
        """
        controls = SynthesisControls(
            speed, duration, pitch_shift, pitch_range, energy_scale, pitch_ramp
        )
        flow = FlowControls(guidance, avoid, avoid_guidance, steps, temperature, seed)
        guided = _Guided(flow, self.flow_request(flow))
        marked = self.frontend.read(text, ssml=ssml, lenient=ssml_lenient)
        default = _default_emotion(emotion, emotion_from)
        speaker_id = resolve_speaker(speaker, self.speakers)
        calibration = self.calibration_for(raw_intensity)
        if controls.duration is None:
            sentences = self.frontend.iter_process(marked, default)
            targets = None
        else:
            sentences = self.frontend.process(marked, default)
            targets = self._targets(
                controls.duration, sentences, speaker_id, controls, guided, calibration
            )
        return self._pieces(
            sentences, speaker_id, controls, targets, guided, calibration, marked.ignored
        )

    def _pieces(self, sentences, speaker_id, controls, targets, guided, calibration, ignored):
        """The pieces of `synthesize_parts` (a generator apart, so validation is eager)."""
        first = True
        for piece in self._render(sentences, speaker_id, controls, targets, guided, calibration):
            piece.ignored = list(ignored) if first else []
            first = False
            yield piece

    def minimum_frames(self, sentences: list[SentenceInput]) -> int:
        """Fewest frames the sentences can take: one per phoneme that is spoken (the symbols a
        break replaces take none), plus the breaks."""
        spoken = sum(
            sum(1 for scale in (s.duration_scales or [1.0] * len(s.phoneme_ids)) if scale > 0)
            for s in sentences
        )
        return spoken + sum(sentence_pause_frames(s, self.frame_seconds) for s in sentences)

    def _targets(
        self,
        duration: float,
        sentences: list[SentenceInput],
        speaker_id: int,
        controls: SynthesisControls,
        guided: _Guided,
        calibration: IntensityCalibration | None,
    ) -> list[int]:
        """Speech frames per sentence for an exact total ``duration`` (breaks set aside)."""
        total = round(duration * self.sample_rate / self.audio_config.hop_length)
        paused = sum(sentence_pause_frames(s, self.frame_seconds) for s in sentences)
        if total - paused < len(sentences):
            raise ControlError(
                f"the breaks take {paused * self.frame_seconds:.3f} s of the requested "
                f"{duration:g} s, leaving too little for the speech; ask for a longer duration "
                "or shorter breaks"
            )
        least = self.minimum_frames(sentences)
        if total < least:
            raise ControlError(
                f"duration {duration:g} s is too short for this text: its {least - paused} "
                f"phonemes need at least one frame ({self.frame_seconds * 1000:.1f} ms) each"
                + (" plus its breaks" if paused else "")
                + f", so the minimum is {least * self.frame_seconds:.3f} s; ask for at least that"
            )
        natural: list[int] = []
        for start in range(0, len(sentences), BATCH_SENTENCES):
            batch = sentences[start : start + BATCH_SENTENCES]
            # Only the lengths are kept, so the natural pass holds one batch of mels at a time.
            natural += self._acoustic(batch, speaker_id, controls, None, guided, calibration)[
                "mel_lengths"
            ]
        return split_frames(total - paused, natural)

    @property
    def frame_seconds(self) -> float:
        """Length of one mel frame in seconds (hop / sample rate)."""
        return self.audio_config.hop_length / self.sample_rate

    @property
    def phoneme_budget(self) -> int:
        """Most phonemes in one row of an acoustic call (`emotts.synthesis.budget`)."""
        return PHONEME_BUDGET

    def stream(
        self,
        text: str,
        emotion: EmotionSpec | AutoEmotion | str | None = None,
        *,
        speaker: str | int | None = None,
        speed: float = 1.0,
        duration: float | None = None,
        pitch_shift: float = 0.0,
        pitch_range: float = 1.0,
        energy_scale: float = 1.0,
        ssml: bool | None = None,
        ssml_lenient: bool = False,
        emotion_from: ClipPaths | None = None,
        guidance: float | None = None,
        avoid: str | None = None,
        avoid_guidance: float | None = None,
        steps: int | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        raw_intensity: bool = False,
        pitch_ramp: int = PITCH_RAMP_DEFAULT,
    ) -> Iterator[Audio]:
        """Yield `Audio` pieces as soon as they are ready; concatenated, they equal `synthesize`.

        Same controls as `synthesize`, except ``duration``: an exact total length needs every
        sentence's natural length first, so it is refused here. The text is prepared lazily,
        one sentence (a few for the phonemizer) ahead of the audio; one sentence is in flight
        at a time, and its mel is vocoded in overlapping chunks (see `chunk_plan`), so memory
        is bounded by the longest sentence (itself bounded by the phoneme budget per acoustic
        call) and the first audio arrives after the first sentence's acoustic model and one
        small vocoder chunk. Each piece carries the timings of the phonemes, words, breaks and
        marks that start in it, relative to its start.
        """
        if duration is not None:
            raise ControlError("duration cannot be combined with streaming; use synthesize()")
        controls = SynthesisControls(
            speed, None, pitch_shift, pitch_range, energy_scale, pitch_ramp
        )
        flow = FlowControls(guidance, avoid, avoid_guidance, steps, temperature, seed)
        guided = _Guided(flow, self.flow_request(flow))
        marked = self.frontend.read(text, ssml=ssml, lenient=ssml_lenient)
        sentences = self.frontend.iter_process(marked, _default_emotion(emotion, emotion_from))
        speaker_id = resolve_speaker(speaker, self.speakers)
        calibration = self.calibration_for(raw_intensity)
        return self._stream(sentences, speaker_id, controls, calibration, guided, marked.ignored)

    def _stream(self, sentences, speaker_id, controls, calibration, guided, ignored):
        row = 0  # acoustic rows so far: a flow voice's noise is drawn per row
        for index, sentence in enumerate(sentences):
            chunks = self._stream_sentence(
                sentence,
                speaker_id,
                controls,
                calibration,
                first=index == 0,
                guided=guided.at(row),
            )
            row += len(plan_windows(sentence, self.phoneme_budget))
            for number, part in enumerate(chunks):
                # What lenient reading skipped is reported once, with the first piece.
                part.ignored = list(ignored) if index == 0 and number == 0 else []
                yield part

    def _acoustic(
        self,
        sentences: list[SentenceInput],
        speaker_id: int,
        controls: SynthesisControls,
        targets: list[int] | None = None,
        guided: _Guided | None = None,
        calibration: IntensityCalibration | None = None,
    ) -> dict[str, list]:
        """Run the acoustic model over sentences in bounded batches; returns per-sentence
        arrays. A sentence over the phoneme budget runs as several windows (rows) and is
        joined back (`emotts.synthesis.budget`); rows are numbered from ``guided.first``."""
        guided = guided or _Guided(FlowControls(), self.flow_request(FlowControls()))
        plans = [plan_windows(s, self.phoneme_budget) for s in sentences]
        rows = [window.sentence for plan in plans for window in plan]
        row_targets = None
        if targets:
            # A cut sentence's windows need their natural lengths to share its target.
            split = [w.sentence for plan in plans if len(plan) > 1 for w in plan]
            natural = self.iter_rows(split, speaker_id, controls, None, guided, calibration)
            row_targets = []
            for plan, target in zip(plans, targets, strict=True):
                if len(plan) == 1:
                    row_targets.append(target)
                else:
                    durations = [next(natural)[1] for _ in plan]
                    row_targets += window_targets(plan, durations, target)
        outputs = self.iter_rows(rows, speaker_id, controls, row_targets, guided, calibration)
        results: dict[str, list] = {"mel": [], "mel_lengths": [], "durations": []}
        for index, plan in enumerate(plans):
            mel, durations = join(plan, [next(outputs) for _ in plan])
            if targets and len(plan) > 1:
                mel, durations = reconcile(mel, durations, targets[index])
            results["mel"].append(mel)
            results["mel_lengths"].append(int(mel.shape[1]))
            results["durations"].append(durations)
        return results

    def iter_rows(
        self,
        rows: list[SentenceInput],
        speaker_id: int,
        controls: SynthesisControls,
        targets: list[int] | None,
        guided: _Guided,
        calibration: IntensityCalibration | None,
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(mel [80, T_fr], durations [T_ph]) per row, ``BATCH_SENTENCES`` rows per call,
        lazily: a call runs when its first row is asked for (one call's output held)."""
        for start in range(0, len(rows), BATCH_SENTENCES):
            chunk = rows[start : start + BATCH_SENTENCES]
            chunk_targets = targets[start : start + BATCH_SENTENCES] if targets else None
            inputs = build_inputs(
                chunk,
                self.labels,
                speaker_id,
                controls,
                chunk_targets,
                sentence_scales(chunk),
                guided.controls,
                calibration,
            )
            out = self.run_guided(inputs, guided.at(start).run)
            for row, sentence in enumerate(chunk):
                frames = int(out["mel_lengths"][row])
                yield (
                    out["mel"][row, :, :frames],
                    out["durations"][row, : len(sentence.phoneme_ids)],
                )

    def run_guided(self, inputs: dict[str, np.ndarray], run: FlowRun | None) -> dict:
        """`run_acoustic`, after refusing markup guidance on a regression voice."""
        if run is None:
            spans = inputs["guidance"]
            if spans.size and bool((spans != 1.0).any()):
                raise ControlError(
                    f'<emotion guidance="..."> spans need a flow-matching voice; this voice\'s '
                    f"decoder is {self.decoder_type}"
                )
            return self.run_acoustic(inputs)
        return self.run_acoustic(inputs, run)

    def _render(
        self, sentences, speaker_id, controls, targets, guided, calibration
    ) -> Iterator[Audio]:
        """Pieces of the sentences (an iterable: consumed a batch at a time), in order."""
        batch: list[SentenceInput] = []
        done, row = 0, 0
        for sentence in _ended(sentences):
            if sentence is not None:
                batch.append(sentence)
                if len(batch) < BATCH_SENTENCES:
                    continue
            if not batch:
                break
            plans = [plan_windows(s, self.phoneme_budget) for s in batch]
            if targets:
                # A target is shared over a cut sentence's whole length (`reconcile`), so
                # its windows are joined first; the output is at most MAX_DURATION_SECONDS.
                batch_targets = targets[done : done + len(batch)]
                acoustic = self._acoustic(
                    batch, speaker_id, controls, batch_targets, guided.at(row), calibration
                )
                for one, mel, durations in zip(
                    batch, acoustic["mel"], acoustic["durations"], strict=True
                ):
                    yield from self.sentence_pieces(one, mel, durations, self.long_plan(mel))
            else:
                # A sentence over the phoneme budget is run, laid out and vocoded a bounded
                # batch of windows at a time (`emotts.synthesis.long_sentence`).
                rows = [w.sentence for plan in plans for w in plan]
                outputs = self.iter_rows(
                    rows, speaker_id, controls, None, guided.at(row), calibration
                )
                yield from windowed_pieces(self, batch, plans, outputs, LONG_SENTENCE_FRAMES)
            row += sum(len(plan) for plan in plans)
            done += len(batch)
            batch = []

    def long_plan(self, mel: np.ndarray) -> ChunkPlan | None:
        """Chunks for vocoding a long sentence (None: short enough to vocode at once)."""
        return None if mel.shape[1] <= LONG_SENTENCE_FRAMES else self.long_chunks

    @property
    def long_chunks(self) -> ChunkPlan:
        """The chunks of a sentence over `LONG_SENTENCE_FRAMES` (`long_plan`)."""
        context = self.vocoder_context_frames
        size = LONG_SENTENCE_FRAMES // 2
        return ChunkPlan(
            first_frames=size,
            max_frames=size,
            context_frames=_DEFAULT_CHUNK_CONTEXT if context is None else context,
        )

    def render_sentence(
        self, sentence: SentenceInput, mel: np.ndarray, durations: np.ndarray
    ) -> Audio:
        """One sentence's acoustic output -> `Audio`: pauses inserted, vocoded, span volumes
        applied, timings attached. mel: [80, T_fr]; durations: [T_ph] frames. A long sentence
        is vocoded in chunks (`LONG_SENTENCE_FRAMES`)."""
        return concatenate(
            list(self.sentence_pieces(sentence, mel, durations, self.long_plan(mel)))
        )

    def sentence_pieces(
        self,
        sentence: SentenceInput,
        mel: np.ndarray,
        durations: np.ndarray,
        plan: ChunkPlan | None,
    ) -> Iterator[Audio]:
        """`render_sentence` as consecutive pieces: one per vocoder chunk of ``plan`` (None:
        the whole sentence at once). Concatenated, the pieces equal the whole."""
        hop = self.audio_config.hop_length
        floor = float(np.log(self.audio_config.log_floor))
        timeline = lay_out(sentence, durations, mel, floor, self.frame_seconds)
        frames = timeline.mel.shape[1]
        timed = sentence_audio(
            sentence,
            timeline.durations,
            np.zeros(0, np.float32),
            self.sample_rate,
            hop,
            timeline.mel,
            timeline.breaks,
            timeline.marks,
        )
        if plan is None or frames == 0:
            samples = self.vocode(timeline.mel) if frames else np.zeros(0, np.float32)
            yield replace(timed, samples=timeline.finish(samples[: frames * hop], hop))
            return
        for start, end, samples in vocode_chunks(self.vocode, timeline.mel, hop, plan):
            yield time_slice(
                timed,
                start * self.frame_seconds,
                end * self.frame_seconds,
                timeline.finish(samples, hop, start_frame=start),
                timeline.mel[:, start:end],
                last=end == frames,
            )

    def _stream_sentence(
        self,
        sentence: SentenceInput,
        speaker_id: int,
        controls: SynthesisControls,
        calibration: IntensityCalibration | None,
        first: bool,
        guided: _Guided,
    ) -> Iterator[Audio]:
        # A vocoder without a known context (Griffin-Lim) streams whole sentences, except
        # long ones, which are cut anyway so that its memory stays bounded.
        plan = self.chunk_plan or self.long_chunks
        if not first:
            # Only the stream's first audio waits on the first chunk; later sentences are
            # vocoded while earlier audio plays, so they take big chunks (less overlap work).
            plan = replace(plan, first_frames=plan.max_frames)
        whole_within = None if self.chunk_plan else LONG_SENTENCE_FRAMES
        windows = plan_windows(sentence, self.phoneme_budget)
        if len(windows) > 1:
            rows = [w.sentence for w in windows]
            outputs = self.iter_rows(rows, speaker_id, controls, None, guided, calibration)
            yield from long_sentence_pieces(self, sentence, windows, outputs, plan, whole_within)
            return
        acoustic = self._acoustic([sentence], speaker_id, controls, None, guided, calibration)
        mel = acoustic["mel"][0]
        if whole_within is not None and mel.shape[1] <= whole_within:
            plan = None
        yield from self.sentence_pieces(sentence, mel, acoustic["durations"][0], plan)


def _ended(items: Iterable[SentenceInput]) -> Iterator[SentenceInput | None]:
    """The items, then None (so a batching loop also runs once after the last item)."""
    yield from items
    yield None


class _Guided:
    """A request's flow controls, its resolved sampling (None: regression voice) and the
    index of the first sentence they apply to (so each sentence draws its own noise)."""

    def __init__(self, controls: FlowControls, sampling: FlowSampling | None, first: int = 0):
        self.controls = controls
        self.sampling = sampling
        self.first = first

    def at(self, offset: int) -> _Guided:
        """The same request from sentence ``first + offset`` on."""
        return _Guided(self.controls, self.sampling, self.first + offset)

    @property
    def run(self) -> FlowRun | None:
        if self.sampling is None:
            return None
        return FlowRun(self.sampling, self.controls.seed, self.first)
