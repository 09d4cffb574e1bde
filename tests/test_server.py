"""`emotts serve` over real HTTP: a uvicorn server on a free 127.0.0.1 port, called with httpx.

The voice is the tiny exported ONNX voice (random weights, so its audio is noise-like): tests
compare audio between requests and with the pipeline run locally, never with fixed numbers.
The voice is deterministic, so equal requests give equal audio and a control that reaches the
model gives different audio.
"""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
import soundfile as sf

from emotts.backends.onnx_voice import OnnxVoice
from emotts.server.app import ServerOptions, create_app
from emotts.server.encoding import SUPPORTED_FORMATS, pcm16
from emotts.server.jobs import QueueLimits
from emotts.server.speech import RequestLimits
from emotts.server.voices import VoiceRegistry
from tests.live_server import free_port, live_server

TEXT = "We walked home."
MAX_CHARS = 400
MAX_DURATION = 30.0
FRAME_S = 256 / 22050


class _FaultyVoice(OnnxVoice):
    """A voice whose vocoder breaks: stands in for a bug inside synthesis."""

    def vocode(self, mel):
        raise RuntimeError("injected vocoder fault")


@pytest.fixture(scope="module")
def voice(tiny_onnx_voice):
    return OnnxVoice.load(tiny_onnx_voice, threads=1)


@pytest.fixture(scope="module")
def registry(voice, tiny_onnx_voice):
    return VoiceRegistry({"tiny": voice, "faulty": _FaultyVoice.load(tiny_onnx_voice, threads=1)})


@pytest.fixture(scope="module")
def client(registry):
    options = ServerOptions(RequestLimits(MAX_CHARS, MAX_DURATION), QueueLimits(2, 32))
    with (
        live_server(create_app(registry, options)) as url,
        httpx.Client(base_url=url, timeout=120) as http,
    ):
        yield http


def speak(client, **body) -> np.ndarray:
    response = client.post("/v1/audio/speech", json={"response_format": "wav", **body})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "audio/wav"
    samples, rate = sf.read(io.BytesIO(response.content), dtype="float32")
    assert rate == 22050 and samples.ndim == 1
    assert np.sqrt(np.mean(samples**2)) > 1e-3, "audio is silent"
    return samples


def differ(a: np.ndarray, b: np.ndarray) -> bool:
    return len(a) != len(b) or float(np.mean(np.abs(a - b))) > 1e-3


def test_same_request_same_audio_and_label_changes_it(client):
    neutral = speak(client, input=TEXT)
    np.testing.assert_array_equal(neutral, speak(client, input=TEXT))
    assert differ(neutral, speak(client, input=TEXT, emotion="happy"))


def test_blend_differs_from_each_of_its_labels(client):
    blend = speak(client, input=TEXT, emotion="happy:0.6,sad:0.4")
    assert differ(blend, speak(client, input=TEXT, emotion="happy"))
    assert differ(blend, speak(client, input=TEXT, emotion="sad"))


def test_adv_as_list_string_and_spec_agree_and_reach_the_model(client):
    as_list = speak(client, input=TEXT, adv=[0.7, 0.2, -0.5])
    np.testing.assert_array_equal(as_list, speak(client, input=TEXT, adv="0.7,0.2,-0.5"))
    np.testing.assert_array_equal(as_list, speak(client, input=TEXT, emotion="adv=0.7,0.2,-0.5"))
    assert differ(as_list, speak(client, input=TEXT))


def test_instructions_take_an_emotion_spec_with_intensity(client):
    by_field = speak(client, input=TEXT, emotion="angry", intensity=1.5)
    np.testing.assert_array_equal(
        by_field, speak(client, input=TEXT, instructions="angry", intensity=1.5)
    )
    assert differ(by_field, speak(client, input=TEXT, emotion="angry"))


def test_instructions_name_a_preset_whose_prosody_the_request_overrides(client):
    from emotts.emotion.presets import resolve_preset

    tired = resolve_preset("tired")
    by_hand = dict(emotion=str(tired.emotion), **tired.prosody())
    np.testing.assert_array_equal(
        speak(client, input=TEXT, instructions="tired"), speak(client, input=TEXT, **by_hand)
    )
    np.testing.assert_array_equal(
        speak(client, input=TEXT, emotion="preset:tired", speed=1.0),
        speak(client, input=TEXT, **{**by_hand, "speed": 1.0}),
    )
    names = [p["name"] for p in client.get("/v1/presets").json()["presets"]]
    assert "tired" in names


def test_markup_spans_change_the_audio_and_timings_index_the_input(client):
    marked = 'We <emotion name="angry" intensity="2">walked</emotion> home.'
    assert differ(speak(client, input=marked), speak(client, input=TEXT))
    response = client.post("/v1/audio/speech/timings", json={"input": marked})
    assert response.status_code == 200, response.text
    words = response.json()["words"]
    assert [marked[w["start_char"] : w["end_char"]] for w in words] == ["We", "walked", "home"]


def test_timings_cover_the_audio_in_order(client):
    text = "Hello there. How are you today?"
    response = client.post(
        "/v1/audio/speech/timings", json={"input": text, "response_format": "flac"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    samples, rate = sf.read(io.BytesIO(base64.b64decode(body["audio"])))
    assert body["response_format"] == "flac" and rate == body["sample_rate"]
    assert abs(len(samples) / rate - body["duration"]) < 1e-6
    words, phonemes = body["words"], body["phonemes"]
    assert [w["word"] for w in words] == ["Hello", "there", "How", "are", "you", "today"]
    starts = [w["start"] for w in words]
    assert starts == sorted(starts) and all(w["end"] > w["start"] for w in words)
    assert phonemes[0]["start"] >= 0 and phonemes[-1]["end"] <= body["duration"] + 1e-6
    assert len(phonemes) > len(words)


def test_duration_is_met_to_half_a_frame(client):
    samples = speak(client, input=TEXT, duration=1.5)
    assert abs(len(samples) / 22050 - 1.5) <= FRAME_S / 2


def test_speed_and_speaker_reach_the_model(client):
    natural = speak(client, input=TEXT)
    assert len(speak(client, input=TEXT, speed=2.0)) < 0.7 * len(natural)
    assert differ(natural, speak(client, input=TEXT, speaker="b"))
    np.testing.assert_array_equal(
        speak(client, input=TEXT, speaker="b"), speak(client, input=TEXT, speaker=1)
    )


@pytest.mark.parametrize("fmt", sorted(set(SUPPORTED_FORMATS) - {"pcm"}))
def test_every_file_format_decodes_to_the_same_length(client, fmt):
    reference = speak(client, input=TEXT)
    response = client.post("/v1/audio/speech", json={"input": TEXT, "response_format": fmt})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == SUPPORTED_FORMATS[fmt].media_type
    samples, rate = sf.read(io.BytesIO(response.content), dtype="float32")
    # mp3 and opus add encoder padding of a few tens of milliseconds.
    assert abs(len(samples) / rate - len(reference) / 22050) < 0.1
    assert np.sqrt(np.mean(samples**2)) > 1e-3


def test_pcm_is_the_wav_samples_without_header(client):
    response = client.post("/v1/audio/speech", json={"input": TEXT, "response_format": "pcm"})
    assert response.status_code == 200
    wav = client.post("/v1/audio/speech", json={"input": TEXT, "response_format": "wav"})
    samples, _ = sf.read(io.BytesIO(wav.content), dtype="int16")
    np.testing.assert_array_equal(np.frombuffer(response.content, "<i2"), samples)


def _streamed(client, body) -> tuple[bytes, float, float]:
    """(body bytes, seconds to the first audio byte, seconds to the end)."""
    start = time.perf_counter()
    first, data = None, b""
    with client.stream("POST", "/v1/audio/speech", json=body) as response:
        assert response.status_code == 200, response.read()
        for chunk in response.iter_bytes():
            data += chunk
            if first is None and len(data) > 44:
                first = time.perf_counter() - start
    return data, first, time.perf_counter() - start


def test_streaming_sends_each_sentence_as_it_is_ready(client, voice):
    text = "One sentence here. Then a second one. And a third one at the end."
    expected = b"".join(pcm16(part.samples) for part in voice.stream(text, "sad"))
    data, first, total = _streamed(
        client, {"input": text, "emotion": "sad", "stream": True, "response_format": "pcm"}
    )
    assert data == expected
    # Three sentences of similar length: the first arrives well before the whole.
    assert first < 0.75 * total, (first, total)
    wav, _, _ = _streamed(client, {"input": text, "emotion": "sad", "stream": True})
    assert wav[:4] == b"RIFF" and wav[44:] == expected
    samples, rate = sf.read(io.BytesIO(wav), dtype="int16")
    assert rate == 22050 and len(samples) == len(expected) // 2


ERROR_CASES = [
    ({"input": ""}, 400, "input is empty"),
    ({"input": "x" * (MAX_CHARS + 1)}, 400, f"limit of {MAX_CHARS}"),
    ({"input": TEXT, "voice": "alloy"}, 400, "unknown voice 'alloy'; this server has: tiny"),
    ({"input": TEXT, "voice": "/etc/passwd"}, 400, "never by path"),
    ({"input": TEXT, "model": "whisper-1"}, 400, "unknown model"),
    ({"input": TEXT, "response_format": "aac"}, 400, "accepted: wav, flac"),
    ({"input": TEXT, "response_format": "mp3", "stream": True}, 400, "cannot be streamed"),
    ({"input": TEXT, "stream": True, "duration": 2}, 400, "cannot be combined"),
    ({"input": TEXT, "speed": 9}, 400, "speed 9.0 is out of range"),
    ({"input": TEXT, "duration": MAX_DURATION + 1}, 400, "over this server's limit"),
    ({"input": TEXT, "emotion": "elated"}, 400, "elated"),
    ({"input": TEXT, "instructions": "whisper softly"}, 400, "instructions 'whisper softly'"),
    ({"input": TEXT, "emotion": "happy", "instructions": "sad"}, 400, "give one of them"),
    ({"input": TEXT, "instructions": "preset:nope"}, 400, "unknown preset 'nope'"),
    ({"input": TEXT, "adv": [0.1, 0.2]}, 400, "3 numbers"),
    ({"input": TEXT, "adv": [3, 0, 0]}, 400, "arousal"),
    ({"input": TEXT, "intensity": 7}, 400, "intensity"),
    ({"input": TEXT, "speaker": "zed"}, 400, "unknown speaker 'zed'"),
    ({"input": "a <emotion name='happy'>b"}, 400, "emotion"),
    ({"input": TEXT, "speeed": 2}, 422, "unknown field 'speeed'"),
    ({"input": TEXT, "speed": "fast"}, 422, "speed"),
    ({"voice": "tiny"}, 422, "input: Field required"),
]


@pytest.mark.parametrize(("body", "status", "fragment"), ERROR_CASES)
def test_bad_requests_get_a_json_error_saying_what_is_wrong(client, body, status, fragment):
    response = client.post("/v1/audio/speech", json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert fragment in error["message"] and error["type"] == "invalid_request_error"


def test_transport_level_errors_are_json_too(client):
    assert client.post("/v1/audio/speech", content=b"{not json").status_code == 422
    missing = client.get("/v1/nothing")
    assert missing.status_code == 404 and "no endpoint" in missing.json()["error"]["message"]
    assert client.get("/v1/audio/speech").status_code == 405
    huge = client.post(
        "/v1/audio/speech",
        content=b'{"input": "' + b"a" * 200_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413 and "body is over" in huge.json()["error"]["message"]


def test_a_failing_request_does_not_take_the_server_down(client):
    broken = client.post("/v1/audio/speech", json={"input": TEXT, "voice": "faulty"})
    assert broken.status_code == 500
    assert "injected vocoder fault" in broken.json()["error"]["message"]
    broken_stream = client.post(
        "/v1/audio/speech", json={"input": TEXT, "voice": "faulty", "stream": True}
    )
    assert broken_stream.status_code == 500
    assert client.get("/health").json()["jobs_running_or_waiting"] == 0
    speak(client, input=TEXT)


def test_voices_and_health(client):
    voices = client.get("/v1/voices").json()
    assert voices["default"] == "tiny"
    tiny = next(v for v in voices["voices"] if v["name"] == "tiny")
    assert tiny["backend"] == "onnx" and tiny["speakers"] == ["a", "b"]
    assert "happy" in tiny["labels"] and tiny["sample_rate"] == 22050
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["job_capacity"] == 34
    assert "/v1/audio/speech" in client.get("/openapi.json").json()["paths"]


def test_twenty_concurrent_clients_all_succeed(client):
    emotions = ["happy", "sad", "angry", "neutral", "surprised"]

    def one(index: int) -> tuple[int, int]:
        body = {"input": f"Client {index} says hello.", "emotion": emotions[index % 5]}
        with httpx.Client(base_url=str(client.base_url), timeout=180) as own:
            response = own.post("/v1/audio/speech", json={**body, "response_format": "wav"})
        samples = sf.read(io.BytesIO(response.content))[0] if response.status_code == 200 else []
        return response.status_code, len(samples)

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one, range(20)))
    assert [status for status, _ in results] == [200] * 20
    assert all(length > 0 for _, length in results)


@pytest.fixture(scope="module")
def strict_server(registry):
    """One worker, no waiting line, an API key: for the 429 and authentication tests."""
    options = ServerOptions(RequestLimits(MAX_CHARS, MAX_DURATION), QueueLimits(1, 0), "s3cret")
    with live_server(create_app(registry, options)) as url:
        yield url


def test_full_queue_answers_429_with_retry_after(strict_server):
    key = {"Authorization": "Bearer s3cret"}
    long_text = " ".join(["This sentence keeps the only worker busy for a while."] * 6)
    with httpx.Client(base_url=strict_server, timeout=180, headers=key) as http:
        first: dict = {}
        worker = threading.Thread(
            target=lambda: first.update(
                response=http.post("/v1/audio/speech", json={"input": long_text})
            )
        )
        worker.start()
        deadline = time.monotonic() + 30
        while http.get("/health").json()["jobs_running_or_waiting"] == 0:
            assert time.monotonic() < deadline, "the long job never started"
            time.sleep(0.01)
        refused = http.post("/v1/audio/speech", json={"input": TEXT})
        worker.join()
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "busy" in refused.json()["error"]["message"]
    assert first["response"].status_code == 200


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
        ({"X-API-Key": "wrong"}, 401),
        ({"Authorization": "Bearer s3cret"}, 200),
        ({"X-API-Key": "s3cret"}, 200),
    ],
)
def test_api_key_is_checked_on_every_route(strict_server, headers, status):
    with httpx.Client(base_url=strict_server, timeout=60, headers=headers) as http:
        for path in ("/health", "/v1/voices", "/docs", "/openapi.json"):
            assert http.get(path).status_code == status, path
        speech = http.post("/v1/audio/speech", json={"input": TEXT, "response_format": "wav"})
    assert speech.status_code == status
    if status == 401:
        assert "API key" in speech.json()["error"]["message"]
        assert speech.headers["WWW-Authenticate"] == "Bearer"


def test_cli_serves_with_the_key_from_the_environment(tiny_onnx_voice):
    port = free_port()
    env = {**os.environ, "EMOTTS_API_KEY": "from-env", "PYTHONPATH": os.getcwd()}
    command = [sys.executable, "-m", "emotts.cli", "serve", "--voice", f"tiny={tiny_onnx_voice}"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--threads", "1", "--log-level", "warning"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 90
        while True:
            assert process.poll() is None, process.stderr.read()
            try:
                health = httpx.get(f"{url}/health", headers={"X-API-Key": "from-env"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["voices"] == ["tiny"]
        assert httpx.get(f"{url}/health").status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_cli_refuses_bad_settings_with_exit_code_2(tiny_onnx_voice):
    from emotts.cli import main

    assert main(["serve", "--voice", str(tiny_onnx_voice), "--workers", "0"]) == 2
    assert main(["serve", "--voice", "/no/such/voice"]) == 2
    assert main(["serve", "--voice", "a=", "--port", "8000"]) == 2
