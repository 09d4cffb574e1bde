"""`emotts serve` passes the flow and calibration controls (issues 13 and 16) to the model:
guidance, avoid, avoid_guidance, flow_steps, temperature, seed and raw_intensity, over real
HTTP on 127.0.0.1. Bad values are 400 JSON errors whose ``param`` names the field and whose
message gives the accepted range; flow settings on a regression voice are refused."""

from __future__ import annotations

import io

import httpx
import numpy as np
import pytest
import soundfile as sf

from emotts.backends import load_voice
from emotts.server.app import ServerOptions, create_app
from emotts.server.voices import VoiceRegistry
from tests.flow_voices import make_voices
from tests.live_server import live_server

TEXT = "We walked home today."


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    voices = make_voices(tmp_path_factory.mktemp("server_flow"))
    registry = VoiceRegistry(
        {name: load_voice(path, backend="torch") for name, path in voices.items()}
    )
    with (
        live_server(create_app(registry, ServerOptions())) as url,
        httpx.Client(base_url=url, timeout=120) as http,
    ):
        yield http


def speak(client, **body) -> np.ndarray:
    body = {"input": TEXT, "voice": "flow", "emotion": "happy", "response_format": "wav", **body}
    response = client.post("/v1/audio/speech", json=body)
    assert response.status_code == 200, response.text
    samples, _ = sf.read(io.BytesIO(response.content), dtype="float32")
    return samples


def differ(a: np.ndarray, b: np.ndarray) -> bool:
    return len(a) != len(b) or float(np.abs(a - b).max()) > 1e-3


def test_seed_reproduces_and_another_seed_differs(client):
    first, again = speak(client, seed=3), speak(client, seed=3)
    np.testing.assert_array_equal(first, again)
    assert differ(first, speak(client, seed=4))


@pytest.mark.parametrize(
    "setting",
    [
        {"guidance": 2.5},
        {"guidance": 0.0},
        {"avoid": "sad"},
        {"avoid": "sad", "avoid_guidance": 3.0},
        {"flow_steps": 1},
        {"temperature": 0.2},
        {"raw_intensity": True},
    ],
    ids=lambda s: ",".join(s),
)
def test_each_setting_reaches_the_model(client, setting):
    assert differ(speak(client, seed=7), speak(client, seed=7, **setting))


def test_raw_intensity_on_the_regression_voice_and_streaming(client):
    calibrated = speak(client, voice="regression")
    assert differ(calibrated, speak(client, voice="regression", raw_intensity=True))
    body = {"input": TEXT, "voice": "flow", "emotion": "happy", "seed": 5, "guidance": 2.0}
    streamed = client.post(
        "/v1/audio/speech", json={**body, "stream": True, "response_format": "pcm"}
    )
    assert streamed.status_code == 200, streamed.text
    pcm = np.frombuffer(streamed.content, "<i2").astype(np.float32) / 32767
    whole = speak(client, seed=5, guidance=2.0)
    assert len(pcm) == len(whole) and np.abs(pcm - whole).max() < 1e-3


@pytest.mark.parametrize(
    ("body", "param", "fragment"),
    [
        ({"guidance": 9}, "guidance", "accepted: [-2.0, 6.0]"),
        ({"avoid": "elated"}, "avoid", "avoid: unknown emotion label 'elated'"),
        ({"avoid": "sad", "avoid_guidance": 5}, "avoid_guidance", "accepted: [0.0, 4.0]"),
        ({"avoid_guidance": 1}, "avoid_guidance", "no avoid label"),
        ({"flow_steps": 0}, "flow_steps", "flow_steps 0 is out of range; accepted: [1, 50]"),
        ({"temperature": 3}, "temperature", "accepted: [0.0, 2.0]"),
        ({"seed": -1}, "seed", "non-negative integer"),
        ({"voice": "regression", "guidance": 2}, "guidance", "needs a flow-matching voice"),
        ({"voice": "regression", "flow_steps": 2}, "flow_steps", "flow-matching voice"),
    ],
)
def test_bad_values_are_json_errors_naming_the_field(client, body, param, fragment):
    request = {"input": TEXT, "voice": "flow", **body}
    response = client.post("/v1/audio/speech", json=request)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param
    assert fragment in error["message"], error["message"]


def test_mistyped_values_are_422_naming_the_field(client):
    response = client.post("/v1/audio/speech", json={"input": TEXT, "flow_steps": 2.5})
    assert response.status_code == 422
    assert response.json()["error"]["param"] == "flow_steps"
