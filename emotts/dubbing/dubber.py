"""`Dubber`: cues -> one timed track with a report (the `emotts dub` engine).

Steps: read each cue (timing, emotion tag, sound descriptions, speaker) and set aside the bad
ones with their reason; then per chunk of cues in start order: a batched natural acoustic pass,
the fit policy picks each cue's length, a second pass renders the cues whose length changes,
vocoding (with a progress bar); placement, mixing with the bed, limiting: whole arrays into a
`Track` (`render`), or each cue as it is vocoded into a file (`render_to`, see stream_mix).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from emotts.audio.io import loaded_length, read_blocks
from emotts.audio.writer import AudioWriter
from emotts.dubbing.cast import Cast
from emotts.dubbing.cues import Cue, timing_problem
from emotts.dubbing.fit import DEFAULT_MAX_SPEED, check_fit_options, plan_fit
from emotts.dubbing.flow_checks import check_guidance
from emotts.dubbing.mixing import db_to_gain, mix_whole
from emotts.dubbing.plan import CuePlan as _Plan
from emotts.dubbing.plan import following_same_role, noise_keys, place_rows, track_samples
from emotts.dubbing.report import DubReport
from emotts.dubbing.stream_mix import StreamMixer, mix_cues
from emotts.dubbing.tags import CueText, read_cue_text
from emotts.dubbing.track import CueReport, RenderedCue, Track
from emotts.emotion.control import avoided_weights
from emotts.emotion.presets import (
    Preset,
    load_presets,
    merge_prosody,
    parse_emotion_or_preset,
    resolve_preset,
)
from emotts.emotion.spec import EmotionSpec
from emotts.errors import ConfigError, EmottsError
from emotts.synthesis.batch import (
    BATCH_ROWS,
    acoustic_batch,
    prepare_utterance,
    vocode_utterance,
)
from emotts.synthesis.controls import SynthesisControls, resolve_speaker
from emotts.synthesis.pipeline import SpeechSynthesizer, coerce_emotion
from emotts.synthesis.sampling import FlowControls

#: The longest track rendered (and the largest --length); `render` holds the track in memory.
MAX_TRACK_SECONDS = 24 * 3600
#: Acoustic batches of cues rendered and mixed together: what `render_to` holds at a time.
CHUNK_BATCHES = 4


class Dubber:
    """Renders cues with one voice.

    Args:
        voice: a loaded voice (torch `Voice` or `OnnxVoice`).
        fit: "natural" (default) or "exact" (see `emotts.dubbing.fit`).
        max_speed: highest speed-up for natural fit before speech runs over (default 1.5).
        emotion: emotion of cues without a tag, emotion column or preset (default neutral);
            ``"preset:NAME"`` also gives those cues the preset's speed, pitch and energy.
        presets: a YAML file of presets merged over the shipped ones (`emotts.emotion.presets`).
        cast: character names -> speakers (`Cast`, a ``{name: speaker}`` dict or ``Alice=0``).
        speaker: speaker of cues that name none (default: the voice's first).
        sample_rate: rate of the track (default: the voice's).
        length: track length in seconds (default: the bed's, else up to the last speech).
        bed: an audio file to mix the dialogue over.
        bed_level, dialogue_level: gains in dB; duck: dB the bed drops while speech plays.
        progress: show a progress bar on stderr.
        emotion_from: original audio; an untagged cue takes the emotion the judge (``judge``:
            a judge folder, default the shipped one) hears inside its window. Tags and the
            emotion column still win; the report's ``emotion_from_audio`` has the estimate.
        flow: a flow-matching voice's guidance, avoided label, steps, temperature and seed for
            every cue (a cue tag's ``guidance=`` wins for its cue); a regression voice refuses
            the flow-only settings here, before anything is rendered.
        raw_intensity: send intensities as given, skipping the voice's calibration.
    """

    def __init__(
        self,
        voice: SpeechSynthesizer,
        *,
        fit: str = "natural",
        max_speed: float = DEFAULT_MAX_SPEED,
        emotion: EmotionSpec | str | None = None,
        presets: str | Path | None = None,
        cast: Cast | dict | str | None = None,
        speaker: str | int | None = None,
        sample_rate: int | None = None,
        length: float | None = None,
        bed: str | Path | None = None,
        bed_level: float = 0.0,
        dialogue_level: float = 0.0,
        duck: float = 0.0,
        progress: bool = False,
        batch_rows: int = BATCH_ROWS,
        emotion_from: str | Path | None = None,
        judge: str | Path | None = None,
        flow: FlowControls | None = None,
        raw_intensity: bool = False,
    ) -> None:
        check_fit_options(fit, max_speed)
        self.flow = flow or FlowControls()
        voice.flow_request(self.flow)  # refuses flow-only settings on a regression voice
        if self.flow.avoid is not None:  # refused for the whole dub, before anything renders
            avoided_weights(self.flow.avoid, voice.labels)
        self.raw_intensity = bool(raw_intensity)
        self.original = None
        if emotion_from is not None:
            from emotts.dubbing.original import OriginalAudioEmotion

            self.original = OriginalAudioEmotion(emotion_from, judge)
        self.voice = voice
        self.fit = fit
        self.max_speed = float(max_speed)
        self.presets_file = presets
        self.presets = load_presets(presets)
        self.default_preset: Preset | None = None
        if isinstance(emotion, str):
            self.emotion, self.default_preset = parse_emotion_or_preset(emotion, path=presets)
        else:
            self.emotion = coerce_emotion(emotion)
        if isinstance(cast, str):
            cast = Cast.parse(cast)
        self.cast = cast if isinstance(cast, Cast) else Cast(dict(cast or {}))
        self.speaker_id = resolve_speaker(speaker, voice.speakers)
        if sample_rate is not None and (
            isinstance(sample_rate, bool)
            or not isinstance(sample_rate, int)
            or not 8000 <= sample_rate <= 192000
        ):
            raise ConfigError(
                f"sample rate {sample_rate!r} is invalid; accepted: an integer in [8000, 192000] Hz"
            )
        self.sample_rate = sample_rate or voice.sample_rate
        if length is not None and not (
            isinstance(length, int | float) and 0 < length <= MAX_TRACK_SECONDS
        ):
            raise ConfigError(
                f"length {length!r} is invalid; accepted: seconds in (0, {MAX_TRACK_SECONDS}]"
            )
        self.length = length
        # The bed is read when mixing (whole by `render`, block by block by `render_to`); its
        # length (the track's by default) comes from its header, checked readable here.
        self.bed = None if bed is None else Path(bed)
        self.bed_length = 0 if bed is None else loaded_length(bed, voice.sample_rate)
        if not (isinstance(duck, int | float) and 0.0 <= duck <= 60.0):
            raise ConfigError(
                f"duck {duck!r} dB is invalid; accepted: 0 (off) to 60 dB of reduction"
            )
        for name, level in (("bed level", bed_level), ("dialogue level", dialogue_level)):
            if not (isinstance(level, int | float) and -60.0 <= level <= 24.0):
                raise ConfigError(f"{name} {level!r} dB is invalid; accepted: [-60, 24] dB")
        self.bed_gain = db_to_gain(bed_level)
        self.dialogue_gain = db_to_gain(dialogue_level)
        self.duck = float(duck)
        self.progress = progress
        self.batch_rows = batch_rows

    @property
    def _frame_seconds(self) -> float:
        return self.voice.audio_config.hop_length / self.voice.sample_rate

    def _track_length(self) -> float | None:
        if self.length is not None:
            return float(self.length)
        return None if self.bed is None else self.bed_length / self.voice.sample_rate

    def render(self, cues: list[Cue]) -> Track:
        """Render ``cues`` into one `Track`; bad cues are skipped and reported, never raised.

        Raises:
            ConfigError: the cast cannot map a character name the cues use.
        """
        plans, spoken = self._plans(cues)
        for _ in self._rendered(spoken):
            pass  # every cue keeps its audio for the whole-array mix
        return self._mix(plans)

    def render_to(self, cues: list[Cue], path: str | Path) -> DubReport:
        """Render ``cues`` into the audio file ``path`` (.wav or .flac), written progressively
        and renamed into place when complete; the same samples, report and timings as
        `render`, in memory that does not grow with the number of cues or the track's length.

        Raises:
            ConfigError: the cast cannot map a character name the cues use.
            AudioError: ``path`` cannot be written, or the bed cannot be read.
        """
        with AudioWriter(path, self.sample_rate) as out:
            return self.render_blocks(cues, out.write)

    def render_blocks(self, cues: list[Cue], write: Callable[[np.ndarray], None]) -> DubReport:
        """`render_to` with the track handed to ``write`` in order, as float32 blocks (T,) at
        the track's rate, each as soon as no later cue can change it."""
        plans, spoken = self._plans(cues)
        rate = self.voice.sample_rate
        fixed = self._track_length()
        mixer = StreamMixer(
            rate,
            self.sample_rate,
            write,
            length=None if fixed is None else round(fixed * rate),
            bed=None if self.bed is None else read_blocks(self.bed, rate),
            bed_gain=self.bed_gain,
            duck=self.duck,
        )
        spans = mix_cues(mixer, self._rendered(spoken), self.dialogue_gain)
        place_rows(spoken, spans, rate)
        written = mixer.finish(self._length(plans, spans))
        placed = [p.placed for p in spoken]
        return DubReport(
            written / self.sample_rate, self.sample_rate, placed, [p.row for p in plans]
        )

    def _plans(self, cues: list[Cue]) -> tuple[list[_Plan], list[_Plan]]:
        """Every cue read (bad ones skipped with their reason), and the ones to speak."""
        names = list(
            dict.fromkeys(c.voice for c in cues if c.voice is not None and c.problem is None)
        )
        roles = self.cast.resolve(names, self.voice.speakers)
        plans = [self._read(cue, roles) for cue in cues]
        spoken = [p for p in plans if p.utterance is not None]
        for order, (plan, key) in enumerate(zip(spoken, noise_keys(spoken), strict=True)):
            plan.order = order
            plan.noise_key = key
        return plans, spoken

    def _rendered(self, spoken: list[_Plan]) -> Iterator[tuple[_Plan, int | None]]:
        """Spoken cues in start order, each vocoded (audio on its plan) with the start sample
        of the next one (None after the last). The acoustic passes run per chunk of cues in
        input order, so up to one chunk of cues batches as before chunks."""
        rate = self.voice.sample_rate
        following = following_same_role(spoken)
        by_start = sorted(spoken, key=lambda p: (round(p.cue.start * rate), p.order))
        starts = [round(p.cue.start * rate) for p in by_start[1:]] + [None]
        size = CHUNK_BATCHES * self.batch_rows
        from tqdm import tqdm

        with tqdm(
            total=len(spoken),
            desc="dubbing",
            unit="cue",
            disable=not self.progress,
            file=sys.stderr,
        ) as bar:
            for begin in range(0, len(by_start), size):
                chunk = sorted(by_start[begin : begin + size], key=lambda p: p.order)
                natural = acoustic_batch(
                    self.voice,
                    [p.utterance for p in chunk],
                    batch_rows=self.batch_rows,
                    flow=self.flow,
                    raw_intensity=self.raw_intensity,
                    keys=[p.noise_key for p in chunk],
                )
                for plan, acoustic in zip(chunk, natural, strict=True):
                    plan.natural = acoustic
                self._render_acoustic(chunk, self._fit(chunk, following))
                # Vocoded one by one in start order: a streaming caller mixes each cue (and
                # drops its audio) before the next is vocoded.
                for plan, following_start in zip(
                    by_start[begin : begin + size], starts[begin : begin + size], strict=True
                ):
                    plan.audio = vocode_utterance(self.voice, plan.utterance, plan.natural)
                    bar.update(1)
                    yield plan, following_start

    def _skip(self, cue: Cue, reason: str, row: CueReport | None = None) -> _Plan:
        base = row or CueReport(
            cue.number, cue.line, "skipped", cue.start, cue.end, cue.text, part=cue.part
        )
        return _Plan(cue, replace(base, status="skipped", reason=reason))

    def _read(self, cue: Cue, roles: dict[str, int]) -> _Plan:
        if cue.problem is not None:
            return self._skip(cue, cue.problem)
        problem = timing_problem(cue)
        if problem is not None:
            return self._skip(cue, problem)
        if cue.end > MAX_TRACK_SECONDS:  # type: ignore[operator]
            # The track is one array in memory: a typo such as 99:59:59 must not ask for 30 GB.
            return self._skip(
                cue,
                f"ends at {cue.end:.3f} s, after the longest track emotts renders "
                f"({MAX_TRACK_SECONDS} s, 24 hours)",
            )
        track_length = self._track_length()
        if track_length is not None and cue.end > track_length:
            return self._skip(
                cue, f"ends at {cue.end:.3f} s, after the end of the track at {track_length:.3f} s"
            )
        row = CueReport(
            cue.number,
            cue.line,
            "spoken",
            cue.start,
            cue.end,
            cue.text,
            warnings=list(cue.notes),
            part=cue.part,
        )
        try:
            text = read_cue_text(cue.text, self.presets)
        except EmottsError as error:
            return self._skip(cue, str(error), row)
        row = replace(
            row,
            text=text.spoken,
            sounds=list(text.sounds),
            warnings=row.warnings + list(text.warnings),
        )
        try:
            emotion, preset, heard = self._emotion(cue, text, row)
            if cue.speaker is not None:
                speaker_id, role = resolve_speaker(cue.speaker, self.voice.speakers), None
            elif cue.voice is not None:
                speaker_id, role = roles[cue.voice], cue.voice
            else:
                speaker_id, role = self.speaker_id, None
            speaker = self.voice.speakers[speaker_id]
            row = replace(
                row,
                speaker=speaker,
                voice=cue.voice,
                emotion=str(emotion),
                preset=None if preset is None else preset.name,
                emotion_from_audio=heard,
            )
            if not text.spoken:
                if not text.sounds:
                    return self._skip(cue, "the cue has no text to speak", row)
                return _Plan(cue, replace(row, status="sound"))
            controls = SynthesisControls(**merge_prosody(preset, speed=cue.speed))
            utterance = prepare_utterance(
                self.voice, text.spoken, emotion, speaker=speaker_id, controls=controls
            )
            check_guidance(self.voice, utterance)
        except EmottsError as error:
            return self._skip(cue, str(error), row)
        return _Plan(cue, row, role or f"speaker {speaker}", utterance)

    def _preset(self, name: str) -> Preset:
        if name in self.presets:
            return self.presets[name]
        return resolve_preset(name, self.presets_file)  # raises, naming the accepted presets

    def _emotion(
        self, cue: Cue, text: CueText, row: CueReport
    ) -> tuple[EmotionSpec, Preset | None, dict[str, float] | None]:
        """The cue's emotion and preset: its tag, else its columns, else the emotion judged in
        the original audio (``emotion_from``), else the defaults; and the judged probabilities
        when the emotion came from the original audio."""
        tagged = text.emotion is not None or text.preset is not None
        if tagged and (cue.emotion is not None or cue.preset is not None):
            row.warnings.append("the leading tag is used; the cue's emotion/preset columns are not")
        if text.preset is not None:
            preset = self._preset(text.preset)
            return preset.emotion, preset, None
        preset = self._preset(cue.preset) if cue.preset is not None else None
        if text.emotion is not None:
            return text.emotion, preset, None
        if cue.emotion is not None:
            return coerce_emotion(cue.emotion), preset, None
        if preset is not None:
            if cue.intensity is None:
                return preset.emotion, preset, None
            return preset.emotion.with_intensity(cue.intensity), preset, None
        if self.original is not None:
            estimate, problem = self.original.estimate(cue.start, cue.end)
            if estimate is not None:
                return estimate.spec(), self.default_preset, estimate.probabilities
            row.warnings.append(f"{problem}; the default emotion {self.emotion} is used")
        return self.emotion, self.default_preset, None

    def _fit(self, spoken: list[_Plan], next_same: dict[int, _Plan]) -> list[int | None]:
        """Frames per spoken cue (None: keep the natural rendering); fills speed and warnings."""
        hop_seconds = self._frame_seconds
        track_length = self._track_length()
        targets = []
        for plan in spoken:
            cue = plan.cue
            natural = sum(part.frames for part in plan.natural)
            window = max(1, round((cue.end - cue.start) / hop_seconds))
            following = next_same.get(id(plan))
            limit, reason = None, ""
            if following is not None:
                limit = max(1, int((following.cue.start - cue.start) / hop_seconds))
                reason = f"{following.cue.where()}, the next line of {plan.role}"
                if following.cue.start < cue.end:
                    plan.row.warnings.append(
                        f"its window overlaps {following.cue.where()} of the same {plan.role}"
                    )
            if track_length is not None:
                end_limit = max(1, int((track_length - cue.start) / hop_seconds))
                if limit is None or end_limit < limit:
                    limit, reason = end_limit, "the end of the track"
            fit = plan_fit(self.fit, natural, window, limit, self.max_speed, reason)
            frames = natural if fit.frames is None else fit.frames
            plan.row = replace(
                plan.row,
                speed=round(fit.speed * plan.utterance.controls.speed, 4),
                natural_duration=natural * hop_seconds,
                overflow=max(0.0, (frames - window) * hop_seconds) if frames > window else 0.0,
                warnings=plan.row.warnings + list(fit.warnings),
            )
            if plan.row.overflow > 0:
                plan.row.warnings.append(
                    f"runs {plan.row.overflow:.2f} s past the cue end at speed {fit.speed:.2f}"
                )
            targets.append(fit.frames)
        return targets

    def _render_acoustic(self, spoken: list[_Plan], targets: list[int | None]) -> None:
        changed = [i for i, t in enumerate(targets) if t is not None]
        rendered = acoustic_batch(
            self.voice,
            [spoken[i].utterance for i in changed],
            [targets[i] for i in changed],
            [spoken[i].natural for i in changed],
            self.batch_rows,
            flow=self.flow,
            raw_intensity=self.raw_intensity,
            keys=[spoken[i].noise_key for i in changed],  # the noise of their natural pass
        )
        for i, acoustic in zip(changed, rendered, strict=True):
            spoken[i].natural = acoustic

    def _mix(self, plans: list[_Plan]) -> Track:
        """The whole-array mix (`render`); `render_blocks` gives the same samples in blocks."""
        rate = self.voice.sample_rate
        spoken = [p for p in plans if p.utterance is not None]
        rendered = [RenderedCue(p.cue, p.row.speaker, p.cue.start, p.audio) for p in spoken]
        spans = [
            (round(p.cue.start * rate), round(p.cue.start * rate) + len(p.audio.samples))
            for p in spoken
        ]
        place_rows(spoken, spans, rate)
        length = self._length(plans, spans)
        bed = None
        if self.bed is not None:
            from emotts.audio.io import load_audio

            bed = load_audio(self.bed, rate)
        samples = mix_whole(
            length,
            [
                (s, p.audio.samples * self.dialogue_gain)
                for p, (s, _) in zip(spoken, spans, strict=True)
            ],
            rate,
            self.sample_rate,
            bed=bed,
            bed_gain=self.bed_gain,
            duck=self.duck,
        )
        return Track(samples, self.sample_rate, rendered, [p.row for p in plans])

    def _length(self, plans: list[_Plan], spans: list[tuple[int, int]]) -> int:
        """Samples of the track at the voice's rate: fixed, else to the last speech or cue."""
        fixed = self._track_length()
        return track_samples(plans, spans, self.voice.sample_rate, fixed)
