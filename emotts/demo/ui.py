"""The page: layout of the synthesis tab and its callbacks (gradio is imported here).

Callbacks are thin: they gather widget values into a request, call the gradio-free handler and
turn an `EmottsError` into the status message, so a bad request never stops the server.
"""

from __future__ import annotations

import gradio as gr

from emotts.demo.flow_controls import FlowWidgets, flow_settings
from emotts.demo.handler import PHONEME_COLUMNS, WORD_COLUMNS, handle_synthesis
from emotts.demo.request import (
    EMOTION_KINDS,
    MAX_TEXT_CHARS,
    EmotionChoice,
    SynthesisRequest,
    mix_from_sliders,
    optional_duration,
)
from emotts.demo.session import ensure_session
from emotts.demo.status import status_html
from emotts.demo.voices import BACKEND_CHOICES, available_backends, load_voice, pick_backend
from emotts.emotion.labels import LABELS
from emotts.emotion.syntax import ADV_COMPONENTS
from emotts.errors import EmottsError
from emotts.synthesis.controls import PITCH_SHIFT_RANGE, SPEED_RANGE

SYNTAX_HINT = f"""**Inline emotion markup** (optional; at most {MAX_TEXT_CHARS} characters):
`<emotion name="happy" intensity="1.2">…</emotion>` ·
`<emotion mix="happy:0.6,sad:0.4">…</emotion>` ·
`<emotion adv="0.7,0.2,-0.5">…</emotion>`;
timing: `<prosody rate="0.8">…</prosody>` (higher is faster; tags nest).
Text outside tags takes the emotion chosen below. Write `&lt;` for a literal `<`.
**SSML** is read when the text starts with `<speak>`: `<break time="500ms"/>`,
`<prosody pitch="+4st" volume="-6dB">…</prosody>`, `<say-as interpret-as="date">…</say-as>`,
emotion as `<emotts:emotion name="happy">` with `xmlns:emotts="urn:emotts"` on `<speak>`."""
EXAMPLES = [
    "The results are in, and we won the whole thing!",
    'I <emotion name="sad">miss you</emotion>, but <emotion name="happy" intensity="1.4">I am so proud of you</emotion>.',
    '<emotion mix="happy:0.6,surprised:0.4">You did all this for me?</emotion> Thank you.',
    'Stay calm. <emotion adv="0.8,-0.4,-0.6">Something is moving in the dark.</emotion>',
    '<speak xmlns:emotts="urn:emotts">Wait for it <break time="600ms"/> '
    '<emotts:emotion name="happy">we did it</emotts:emotion> on '
    '<say-as interpret-as="date" format="mdy">12/25/2024</say-as>!</speak>',
]
# The mixer starts on a blend that works, rather than all zeros (an error until moved).
BLEND_START = {"happy": 0.6, "surprised": 0.4}
KIND_CHOICES = [("Label", "label"), ("Blend", "blend"), ("ADV", "adv"), ("From a clip", "clip")]
# The synthesis and comparison buttons share one worker: both are CPU-bound, and running two
# at once on a small server only makes both slower.
SYNTHESIS_QUEUE = "synthesis"


def voice_ref(dropdown: str | None, path: str | None) -> str:
    """A typed-in path wins over the dropdown."""
    return (path or "").strip() or (dropdown or "")


class VoiceControls:
    """The voice, backend and speaker widgets shared by both tabs."""

    def __init__(self, choices: list[str], voice: str, backend: str) -> None:
        loaded = load_voice(voice, backend)
        with gr.Row(equal_height=True):
            self.voice = gr.Dropdown(
                choices, value=voice, label="Voice", allow_custom_value=True, scale=3
            )
            self.path = gr.Textbox(
                label="…or a voice directory path",
                placeholder="/path/to/voice (Enter to load)",
                scale=3,
            )
            self.backend = gr.Radio(
                available_backends(voice),
                value=backend,
                label="Backend",
                info="ONNX is offered for exported voices",
                scale=2,
            )
            self.speaker = gr.Dropdown(
                loaded.speakers, value=loaded.speakers[0], label="Speaker", scale=2
            )
        self.labels = loaded.labels

    @property
    def inputs(self) -> list:
        return [self.voice, self.path, self.backend, self.speaker]


class SynthesisTab:
    """Text, emotion and prosody controls; audio, plots and timings out."""

    def __init__(self, voice: VoiceControls) -> None:
        self.voice = voice
        with gr.Row():
            with gr.Column(scale=5):
                self.text = gr.Textbox(
                    label="Text",
                    lines=3,
                    max_length=None,
                    elem_id="text",
                    value=EXAMPLES[1],
                )
                gr.Markdown(SYNTAX_HINT)
                gr.Examples(EXAMPLES, inputs=[self.text], label="Examples")
                self._emotion_controls(voice.labels)
                with gr.Row():
                    self.speed = gr.Slider(
                        *SPEED_RANGE,
                        value=1.0,
                        step=0.05,
                        label="Speed (higher is faster)",
                        elem_id="speed",
                    )
                    self.pitch = gr.Slider(
                        *PITCH_SHIFT_RANGE,
                        value=0.0,
                        step=0.5,
                        label="Pitch shift (semitones)",
                        elem_id="pitch",
                    )
                with gr.Row(equal_height=True):
                    self.use_duration = gr.Checkbox(
                        label="Exact duration", value=False, elem_id="use-duration"
                    )
                    self.duration = gr.Number(
                        value=3.0,
                        minimum=0.1,
                        maximum=600,
                        step=0.1,
                        label="Duration (s)",
                        elem_id="duration",
                    )
                self.flow = FlowWidgets(list(voice.labels))
                self.button = gr.Button("Synthesize", variant="primary", elem_id="synthesize")
                self.status = gr.HTML(status_html("idle", "Ready."), elem_id="status")
            with gr.Column(scale=6):
                self.audio = gr.Audio(
                    label="Speech (WAV)",
                    type="filepath",
                    buttons=["download"],
                    elem_id="audio-out",
                    interactive=False,
                )
                self.f0 = gr.Image(
                    label="F0 contour",
                    show_label=False,
                    type="numpy",
                    interactive=False,
                    elem_id="f0-plot",
                )
                self.mel = gr.Image(
                    label="Mel spectrogram",
                    show_label=False,
                    type="numpy",
                    interactive=False,
                    elem_id="mel-plot",
                )
                with gr.Row():
                    self.words = gr.Dataframe(
                        headers=WORD_COLUMNS,
                        label="Word timings",
                        interactive=False,
                        max_height=260,
                    )
                    self.phonemes = gr.Dataframe(
                        headers=PHONEME_COLUMNS,
                        label="Phoneme timings",
                        interactive=False,
                        max_height=260,
                    )

    def _emotion_controls(self, labels: list[str]) -> None:
        with gr.Group():
            self.kind = gr.Radio(
                KIND_CHOICES, value="label", label="Emotion given as", elem_id="emotion-kind"
            )
            with gr.Column(visible=True) as self.label_box:
                self.label = gr.Dropdown(labels, value=labels[0], label="Label", elem_id="label")
            with gr.Column(visible=False) as self.blend_box:
                gr.Markdown("Blend weights (divided by their sum):")
                self.mix = [
                    gr.Slider(
                        0,
                        1,
                        value=BLEND_START.get(label, 0.0),
                        step=0.05,
                        label=label,
                        visible=label in labels,
                        elem_id=f"mix-{label}",
                    )
                    for label in LABELS
                ]
            with gr.Column(visible=False) as self.adv_box:
                self.adv = [
                    gr.Slider(-1, 1, value=0.0, step=0.05, label=name, elem_id=f"adv-{name}")
                    for name in ADV_COMPONENTS
                ]
            with gr.Column(visible=False) as self.clip_box:
                self.clip = gr.Audio(
                    sources=["upload", "microphone"],
                    type="filepath",
                    label="Reference clip: its judged emotion is used (shown in the status)",
                    elem_id="emotion-clip",
                )
            self.intensity = gr.Slider(
                -1,
                2,
                value=1.0,
                step=0.05,
                label="Intensity",
                info="0 neutral · 1 as trained · 2 exaggerated · negative: opposite",
                elem_id="intensity",
            )

    def wire(self, session: gr.State) -> None:
        self.kind.change(
            lambda kind: [gr.update(visible=kind == k) for k in EMOTION_KINDS],
            inputs=self.kind,
            outputs=[self.label_box, self.blend_box, self.adv_box, self.clip_box],
        )
        self.button.click(
            self.run,
            inputs=[
                session,
                self.text,
                *self.voice.inputs,
                self.kind,
                self.label,
                self.intensity,
                *self.mix,
                *self.adv,
                self.clip,
                self.speed,
                self.pitch,
                self.use_duration,
                self.duration,
                *self.flow.inputs,
            ],
            outputs=[
                session,
                self.status,
                self.audio,
                self.mel,
                self.f0,
                self.words,
                self.phonemes,
            ],
            concurrency_id=SYNTHESIS_QUEUE,
            concurrency_limit=1,
        )

    def run(self, session, text, voice, path, backend, speaker, kind, label, intensity, *rest):
        """Callback of the Synthesize button; ``rest``: mix sliders, ADV sliders, clip, prosody."""
        session = ensure_session(session)
        mix, adv = rest[: len(LABELS)], rest[len(LABELS) : len(LABELS) + 3]
        clip, speed, pitch, use_duration, duration = rest[len(LABELS) + 3 : len(LABELS) + 8]
        flow = flow_settings(*rest[len(LABELS) + 8 :])
        try:
            request = SynthesisRequest(
                text=text,
                voice=voice_ref(voice, path),
                backend=backend,
                speaker=speaker,
                emotion=EmotionChoice(
                    kind,
                    label,
                    float(intensity),
                    mix_from_sliders(list(mix)),
                    tuple(map(float, adv)),
                    clip,
                ),
                speed=float(speed),
                pitch_shift=float(pitch),
                duration=optional_duration(use_duration, duration),
                flow=flow,
            )
            result = handle_synthesis(request, session)
        except EmottsError as error:
            return session, status_html("error", str(error)), *([gr.skip()] * 5)
        return (
            session,
            status_html("ok", result.summary),
            result.wav_path,
            result.mel_image,
            result.f0_image,
            result.words,
            result.phonemes,
        )


def voice_changed(voice: str, path: str, requested_backend: str | None) -> tuple:
    """Reload the voice's speakers, labels and backends when another voice is chosen.

    Returns updates for: backend, speaker, label, the mix sliders, the compare labels, the
    sweep label, and the status.
    """
    reference = voice_ref(voice, path)
    try:
        offered = available_backends(reference)
        backend = requested_backend if requested_backend in offered else pick_backend(reference)
        loaded = load_voice(reference, backend)
    except EmottsError as error:
        return (*[gr.skip()] * (5 + len(LABELS)), status_html("error", str(error)))
    labels = loaded.labels
    return (
        gr.update(choices=[b for b in BACKEND_CHOICES if b in offered], value=backend),
        gr.update(choices=loaded.speakers, value=loaded.speakers[0]),
        gr.update(choices=labels, value=labels[0]),
        *[gr.update(visible=label in labels) for label in LABELS],
        gr.update(choices=labels, value=labels),
        gr.update(choices=labels, value=labels[0]),
        status_html(
            "ok",
            f"Loaded {reference} ({backend}): {len(labels)} labels, {len(loaded.speakers)} speakers.",
        ),
    )
