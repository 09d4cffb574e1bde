"""The comparison tab: one sentence across labels or along a sweep, side by side."""

from __future__ import annotations

import gradio as gr

from emotts.demo.compare import (
    COMPARE_MODES,
    MAX_PANELS,
    MIN_STEPS,
    CompareRequest,
    handle_comparison,
)
from emotts.demo.session import ensure_session
from emotts.demo.status import status_html
from emotts.demo.ui import SYNTHESIS_QUEUE, VoiceControls, voice_ref
from emotts.emotion.syntax import ADV_COMPONENTS
from emotts.errors import EmottsError


class CompareTab:
    def __init__(self, voice: VoiceControls) -> None:
        self.voice = voice
        labels = voice.labels
        self.text = gr.Textbox(
            label="Sentence", value="I can't believe you did that.", elem_id="compare-text"
        )
        with gr.Row(equal_height=True):
            self.mode = gr.Radio(
                list(COMPARE_MODES), value=COMPARE_MODES[0], label="Compare", elem_id="compare-mode"
            )
            self.labels = gr.CheckboxGroup(labels, value=labels, label="Labels", visible=True)
            self.sweep_label = gr.Dropdown(
                labels,
                value=labels[min(1, len(labels) - 1)],
                label="Label to sweep (intensity -1 → 2)",
                visible=False,
            )
            self.dimension = gr.Dropdown(
                list(ADV_COMPONENTS),
                value=ADV_COMPONENTS[0],
                label="ADV dimension (-1 → 1, others 0)",
                visible=False,
            )
            self.steps = gr.Slider(
                MIN_STEPS,
                MAX_PANELS,
                value=5,
                step=1,
                label="Steps",
                visible=False,
                elem_id="compare-steps",
            )
        self.button = gr.Button("Render comparison", variant="primary", elem_id="compare")
        self.status = gr.HTML(
            status_html("idle", "Pick what to compare, then render."), elem_id="compare-status"
        )
        with gr.Row():
            self.players = [
                gr.Audio(
                    type="filepath",
                    buttons=["download"],
                    interactive=False,
                    visible=False,
                    min_width=160,
                    elem_classes="compare-player",
                )
                for _ in range(MAX_PANELS)
            ]
        self.image = gr.Image(
            label="Small multiples",
            show_label=False,
            type="numpy",
            interactive=False,
            elem_id="compare-plot",
        )

    def wire(self, session: gr.State) -> None:
        self.mode.change(
            lambda mode: (
                gr.update(visible=mode == "labels"),
                gr.update(visible=mode == "intensity sweep"),
                gr.update(visible=mode == "ADV sweep"),
                gr.update(visible=mode != "labels"),
            ),
            inputs=self.mode,
            outputs=[self.labels, self.sweep_label, self.dimension, self.steps],
        )
        self.button.click(
            self.run,
            inputs=[
                session,
                self.text,
                *self.voice.inputs,
                self.mode,
                self.labels,
                self.sweep_label,
                self.dimension,
                self.steps,
            ],
            outputs=[session, self.status, *self.players, self.image],
            concurrency_id=SYNTHESIS_QUEUE,
            concurrency_limit=1,
        )

    def run(
        self,
        session,
        text,
        voice,
        path,
        backend,
        speaker,
        mode,
        labels,
        sweep_label,
        dimension,
        steps,
    ):
        session = ensure_session(session)
        request = CompareRequest(
            text=text,
            voice=voice_ref(voice, path),
            backend=backend,
            speaker=speaker,
            mode=mode,
            labels=tuple(labels or ()),
            sweep_label=sweep_label,
            adv_dimension=dimension,
            steps=int(steps),
        )
        try:
            result = handle_comparison(request, session)
        except EmottsError as error:
            return session, status_html("error", str(error)), *([gr.skip()] * (MAX_PANELS + 1))
        players = [
            gr.update(value=path, label=title, visible=True) for title, path in result.renderings
        ] + [gr.update(value=None, visible=False)] * (MAX_PANELS - len(result.renderings))
        done = status_html("ok", f"Rendered {len(result.renderings)} versions of the sentence.")
        return session, done, *players, result.image
