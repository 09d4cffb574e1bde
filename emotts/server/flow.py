"""A request's flow-decoder and calibration settings, validated field by field.

`guidance`, `avoid`, `avoid_guidance`, `flow_steps`, `temperature` and `seed` go to a flow
voice's sampler (docs/flow-decoder.md); `raw_intensity` skips the voice's intensity
calibration. Each field is checked alone first, so a 400 names the field (the error's
`param`) and its accepted range; the pipeline's own checks then run on the combination
(avoid_guidance without avoid; flow-only settings on a regression voice).
"""

from __future__ import annotations

from emotts.emotion.control import avoided_weights
from emotts.errors import ControlError, EmottsError
from emotts.server.schemas import SpeechRequest
from emotts.synthesis.pipeline import SpeechSynthesizer
from emotts.synthesis.sampling import FlowControls

#: Request field -> `synthesize` keyword.
FLOW_FIELDS = {
    "guidance": "guidance",
    "avoid": "avoid",
    "avoid_guidance": "avoid_guidance",
    "flow_steps": "steps",
    "temperature": "temperature",
    "seed": "seed",
}


class RequestFieldError(ControlError):
    """A request field's value is refused; ``param`` names the field (OpenAI's error shape)."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


def _check_alone(field: str, keyword: str, value: object, labels: list[str]) -> None:
    try:
        if keyword == "avoid":
            FlowControls(avoid=value)  # a non-empty string
            avoided_weights(value, labels)  # a label of this voice (`synthesize`'s check)
        elif keyword == "avoid_guidance":
            FlowControls(avoid="neutral", avoid_guidance=value)
        else:
            FlowControls(**{keyword: value})
    except EmottsError as error:
        message = str(error)
        if keyword != field:  # the pipeline says "steps"; the request field is flow_steps
            message = message.replace(keyword, field, 1)
        raise RequestFieldError(field, message) from None


def flow_options(request: SpeechRequest, synthesizer: SpeechSynthesizer) -> dict:
    """``synthesize`` keywords for the request's flow settings and ``raw_intensity``."""
    given = {
        field: getattr(request, field)
        for field in FLOW_FIELDS
        if getattr(request, field) is not None
    }
    for field, value in given.items():
        _check_alone(field, FLOW_FIELDS[field], value, synthesizer.labels)
    if "avoid_guidance" in given and "avoid" not in given:
        raise RequestFieldError(
            "avoid_guidance", "avoid_guidance is set but no avoid label is given; add avoid"
        )
    options = {FLOW_FIELDS[field]: value for field, value in given.items()}
    try:
        synthesizer.flow_request(FlowControls(**options))
    except EmottsError as error:
        flow_only = [f for f in given if f != "seed"]
        raise RequestFieldError(flow_only[0] if flow_only else "seed", str(error)) from None
    return {**options, "raw_intensity": request.raw_intensity}
