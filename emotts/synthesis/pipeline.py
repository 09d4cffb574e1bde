"""The synthesis pipeline shared by every backend (numpy only).

text -> front-end -> named inputs -> acoustic model -> mel -> vocoder -> `Audio` with timings.
A backend (torch `Voice`, onnxruntime `OnnxVoice`) only says how to run the acoustic model and
the vocoder; controls, batching, exact durations, streaming and timings live here once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from emotts.audio.config import AudioConfig
from emotts.emotion.calibration import IntensityCalibration
from emotts.emotion.from_clip import ClipPaths
from emotts.emotion.from_text import AutoEmotion, is_auto, parse_auto
from emotts.emotion.spec import EmotionSpec, parse_emotion
from emotts.errors import ControlError, EmotionSpecError
from emotts.synthesis.chunking import ChunkPlan, vocode_chunks
from emotts.synthesis.controls import SynthesisControls, resolve_speaker, split_frames
from emotts.synthesis.inputs import build_inputs
from emotts.synthesis.pitch_edges import PITCH_RAMP_DEFAULT
from emotts.synthesis.result import Audio, concatenate, sentence_audio, time_slice
from emotts.synthesis.sampling import FlowControls, FlowRun, FlowSampling
from emotts.synthesis.timeline import lay_out, sentence_pause_frames
from emotts.text.frontend import SentenceInput, TextFrontend
from emotts.text.ssml import PitchReference
from emotts.text.symbols import SymbolTable

# Sentences run together in one acoustic batch: bounds memory for long texts.
BATCH_SENTENCES = 8


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
        their natural lengths.

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
        controls = SynthesisControls(
            speed, duration, pitch_shift, pitch_range, energy_scale, pitch_ramp
        )
        flow = FlowControls(guidance, avoid, avoid_guidance, steps, temperature, seed)
        sampling = self.flow_request(flow)
        marked = self.frontend.read(text, ssml=ssml, lenient=ssml_lenient)
        sentences = self.frontend.process(marked, _default_emotion(emotion, emotion_from))
        speaker_id = resolve_speaker(speaker, self.speakers)
        guided = _Guided(flow, sampling)
        calibration = self.calibration_for(raw_intensity)
        targets = None
        if controls.duration is not None:
            targets = self._targets(
                controls.duration, sentences, speaker_id, controls, guided, calibration
            )
        audio = concatenate(
            list(self._render(sentences, speaker_id, controls, targets, guided, calibration))
        )
        audio.ignored = list(marked.ignored)
        return audio

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
        natural = self._acoustic(sentences, speaker_id, controls, None, guided, calibration)
        natural = natural["mel_lengths"]
        return split_frames(total - paused, natural)

    @property
    def frame_seconds(self) -> float:
        """Length of one mel frame in seconds (hop / sample rate)."""
        return self.audio_config.hop_length / self.sample_rate

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
        sentence's natural length first, so it is refused here. One sentence is in flight at a
        time, and its mel is vocoded in overlapping chunks (see `chunk_plan`), so memory is
        bounded by the longest sentence and the first audio arrives after the first sentence's
        acoustic model and one small vocoder chunk. Each piece carries the timings of the
        phonemes, words, breaks and marks that start in it, relative to its start.
        """
        if duration is not None:
            raise ControlError("duration cannot be combined with streaming; use synthesize()")
        controls = SynthesisControls(
            speed, None, pitch_shift, pitch_range, energy_scale, pitch_ramp
        )
        flow = FlowControls(guidance, avoid, avoid_guidance, steps, temperature, seed)
        guided = _Guided(flow, self.flow_request(flow))
        marked = self.frontend.read(text, ssml=ssml, lenient=ssml_lenient)
        sentences = self.frontend.process(marked, _default_emotion(emotion, emotion_from))
        speaker_id = resolve_speaker(speaker, self.speakers)
        calibration = self.calibration_for(raw_intensity)
        for index, sentence in enumerate(sentences):
            chunks = self._stream_sentence(
                sentence,
                speaker_id,
                controls,
                calibration,
                first=index == 0,
                guided=guided.at(index),
            )
            for number, part in enumerate(chunks):
                # What lenient reading skipped is reported once, with the first piece.
                part.ignored = list(marked.ignored) if index == 0 and number == 0 else []
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
        """Run the acoustic model over sentences in bounded batches; returns per-row arrays."""
        guided = guided or _Guided(FlowControls(), self.flow_request(FlowControls()))
        results: dict[str, list] = {"mel": [], "mel_lengths": [], "durations": []}
        for start in range(0, len(sentences), BATCH_SENTENCES):
            chunk = sentences[start : start + BATCH_SENTENCES]
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
                results["mel"].append(out["mel"][row, :, :frames])
                results["mel_lengths"].append(frames)
                results["durations"].append(out["durations"][row, : len(sentence.phoneme_ids)])
        return results

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
        acoustic = self._acoustic(sentences, speaker_id, controls, targets, guided, calibration)
        for sentence, mel, durations in zip(
            sentences, acoustic["mel"], acoustic["durations"], strict=True
        ):
            yield self.render_sentence(sentence, mel, durations)

    def render_sentence(
        self, sentence: SentenceInput, mel: np.ndarray, durations: np.ndarray
    ) -> Audio:
        """One sentence's acoustic output -> `Audio`: pauses inserted, vocoded, span volumes
        applied, timings attached. mel: [80, T_fr]; durations: [T_ph] frames."""
        (audio,) = self._sentence_pieces(sentence, mel, durations, None)
        return audio

    def _sentence_pieces(
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
        plan = self.chunk_plan
        if plan is not None and not first:
            # Only the stream's first audio waits on the first chunk; later sentences are
            # vocoded while earlier audio plays, so they take big chunks (less overlap work).
            plan = replace(plan, first_frames=plan.max_frames)
        acoustic = self._acoustic([sentence], speaker_id, controls, None, guided, calibration)
        yield from self._sentence_pieces(
            sentence, acoustic["mel"][0], acoustic["durations"][0], plan
        )


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
