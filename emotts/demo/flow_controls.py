"""The demo's flow-matching and calibration controls: emotion guidance, an avoided emotion,
sampler steps, temperature and seed (flow voices only), and raw intensity (any voice).

The settings travel as a `FlowSettings` in the `SynthesisRequest`; with "Use flow settings"
off none of the flow keywords reach ``Voice.synthesize``, so a regression voice works as
before, and with it on a regression voice refuses them with its own error (shown in the page).
"""

from __future__ import annotations

from dataclasses import dataclass

NO_AVOID = "(none)"
GUIDANCE_RANGE = (0.0, 4.0)
STEPS_RANGE = (1, 10)
TEMPERATURE_RANGE = (0.0, 2.0)


@dataclass(frozen=True)
class FlowSettings:
    """What the flow accordion asks for; None: the voice's own default."""

    guidance: float | None = None
    avoid: str | None = None
    avoid_guidance: float | None = None
    steps: int | None = None
    temperature: float | None = None
    seed: int | None = None
    raw_intensity: bool = False

    def options(self) -> dict:
        """Keyword arguments for ``Voice.synthesize`` (flow ones only when set)."""
        options: dict = {"raw_intensity": self.raw_intensity}
        for name in ("guidance", "avoid", "avoid_guidance", "steps", "temperature", "seed"):
            value = getattr(self, name)
            if value is not None:
                options[name] = value
        return options


def flow_settings(
    use_flow: bool,
    guidance: float,
    avoid: str | None,
    avoid_guidance: float,
    steps: float,
    temperature: float,
    seed: float | None,
    raw_intensity: bool,
) -> FlowSettings:
    """The widgets' values as settings; flow values count only when "Use flow settings" is on."""
    if not use_flow:
        return FlowSettings(raw_intensity=bool(raw_intensity))
    avoided = None if avoid in (None, "", NO_AVOID) else avoid
    return FlowSettings(
        guidance=float(guidance),
        avoid=avoided,
        avoid_guidance=float(avoid_guidance) if avoided is not None else None,
        steps=int(steps),
        temperature=float(temperature),
        seed=None if seed is None else int(seed),
        raw_intensity=bool(raw_intensity),
    )


class FlowWidgets:
    """The accordion; ``inputs`` in the order `flow_settings` takes them."""

    def __init__(self, labels: list[str]) -> None:
        import gradio as gr

        with gr.Accordion("Flow-matching voice and calibration", open=False):
            with gr.Row(equal_height=True):
                self.use_flow = gr.Checkbox(
                    label="Use flow settings (flow voices only)", value=False, elem_id="use-flow"
                )
                self.raw = gr.Checkbox(
                    label="Raw intensity (skip the voice's calibration)",
                    value=False,
                    elem_id="raw-intensity",
                )
            with gr.Row():
                self.guidance = gr.Slider(
                    *GUIDANCE_RANGE,
                    value=1.0,
                    step=0.1,
                    label="Emotion guidance w",
                    elem_id="guidance",
                )
                self.avoid = gr.Dropdown(
                    [NO_AVOID, *labels], value=NO_AVOID, label="Avoid emotion", elem_id="avoid"
                )
                self.avoid_guidance = gr.Slider(
                    *GUIDANCE_RANGE,
                    value=1.0,
                    step=0.1,
                    label="Avoid guidance",
                    elem_id="avoid-guidance",
                )
            with gr.Row():
                self.steps = gr.Slider(
                    *STEPS_RANGE, value=4, step=1, label="Sampler steps", elem_id="flow-steps"
                )
                self.temperature = gr.Slider(
                    *TEMPERATURE_RANGE,
                    value=1.0,
                    step=0.05,
                    label="Temperature",
                    elem_id="temperature",
                )
                self.seed = gr.Number(value=0, precision=0, label="Seed", elem_id="seed")

    @property
    def inputs(self) -> list:
        return [
            self.use_flow,
            self.guidance,
            self.avoid,
            self.avoid_guidance,
            self.steps,
            self.temperature,
            self.seed,
            self.raw,
        ]
