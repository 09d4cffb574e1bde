"""Corrupt and hostile voice files and manifests: each refused with an EmottsError naming the
file and the problem, through load_voice and through `emotts synth` (exit 2, no traceback).

Covers: model.safetensors truncated, altered or replaced by a pickle (whose payload would
write a marker file: it never runs); ONNX graphs (acoustic, flow, vocoder) truncated, altered
or swapped, with and without the SHA-256 that voice.json records; config.json and voice.json
with missing or wrong-typed fields, or graph names that leave the voice directory; manifests
with broken lines.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from emotts.backends import load_voice
from emotts.cli import main
from emotts.data.manifest import read_manifest
from emotts.errors import ConfigError, EmottsError
from emotts.models.untrained import make_untrained_voice

FLOW = {"type": "flow", "layers": 2, "inner": 64, "kernel": 3, "time_dim": 16, "steps": 2}


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny torch voice and a tiny flow voice exported to ONNX (acoustic, flow, vocoder)."""
    from emotts.onnx.export import export_voice

    root = tmp_path_factory.mktemp("hostile")
    torch_dir = make_untrained_voice(root / "torch", "tiny", vocoder="griffinlim")
    flow_dir = make_untrained_voice(root / "flow", "tiny", frames_per_phoneme=4.0, decoder=FLOW)
    return {"torch": torch_dir, "onnx": export_voice(flow_dir, root / "onnx").directory}


def _copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "voice"
    shutil.copytree(source, target)
    return target


def _truncate(fraction: float) -> Callable[[Path], None]:
    def mutate(path: Path) -> None:
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * fraction)])

    return mutate


def _flip(offset: int) -> Callable[[Path], None]:
    def mutate(path: Path) -> None:
        data = bytearray(path.read_bytes())
        data[offset] ^= 0xFF
        path.write_bytes(bytes(data))

    return mutate


def _edit_json(path: Path, edit: Callable[[dict], None]) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    edit(document)
    path.write_text(json.dumps(document), encoding="utf-8")


def _refused(directory: Path, needle: str, tmp_path: Path, capsys) -> str:
    """load_voice raises an EmottsError containing ``needle``; so does `emotts synth`."""
    with pytest.raises(EmottsError) as caught:
        load_voice(directory).synthesize("Hello there.")
    message = str(caught.value)
    assert needle in message, message
    out = tmp_path / "out.wav"
    capsys.readouterr()
    assert main(["synth", "-v", str(directory), "-t", "Hello there.", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err, err
    assert not out.exists() and not list(tmp_path.glob(".out.wav*"))
    return message


class _WritesMarker:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


# --- torch voice: model.safetensors -------------------------------------------------------


@pytest.mark.parametrize("checksum", [True, False], ids=["with-sha256", "without-sha256"])
@pytest.mark.parametrize(
    ("damage", "needle_without"),
    [
        (_truncate(0.0), "is not a readable safetensors file"),
        (_truncate(0.5), "is not a readable safetensors file"),
        (_truncate(0.999), "is not a readable safetensors file"),
        (_flip(12), "is not a readable safetensors file"),
    ],
    ids=["empty", "half", "last-byte", "header-byte"],
)
def test_damaged_weights(voices, tmp_path, capsys, checksum, damage, needle_without) -> None:
    directory = _copy(voices["torch"], tmp_path)
    if not checksum:  # a voice saved before checksums existed
        _edit_json(directory / "config.json", lambda d: d.pop("weights_sha256"))
    damage(directory / "model.safetensors")
    needle = "is damaged: its SHA-256 differs" if checksum else needle_without
    message = _refused(directory, needle, tmp_path, capsys)
    assert str(directory / "model.safetensors") in message


def test_altered_weight_bytes_are_caught_by_the_checksum(voices, tmp_path, capsys) -> None:
    directory = _copy(voices["torch"], tmp_path)
    _flip(-10)(directory / "model.safetensors")  # a weight's bytes: still parses as safetensors
    _refused(directory, "model.safetensors is damaged: its SHA-256 differs", tmp_path, capsys)


@pytest.mark.parametrize("checksum", [True, False], ids=["with-sha256", "without-sha256"])
def test_pickle_as_weights_is_never_unpickled(voices, tmp_path, capsys, checksum) -> None:
    import torch

    directory = _copy(voices["torch"], tmp_path)
    marker = tmp_path / "executed"
    if not checksum:
        _edit_json(directory / "config.json", lambda d: d.pop("weights_sha256"))
    torch.save(
        {"text_encoder.embedding.weight": _WritesMarker(marker)}, directory / "model.safetensors"
    )
    needle = "SHA-256 differs" if checksum else "weights are never unpickled"
    _refused(directory, needle, tmp_path, capsys)
    assert not marker.exists()
    pickle.loads(pickle.dumps(_WritesMarker(marker)))  # the payload is live: the check can fail
    assert marker.exists()


# --- torch voice: config.json ------------------------------------------------------------


def _set(*keys: str, value: object) -> Callable[[dict], None]:
    def edit(document: dict) -> None:
        for key in keys[:-1]:
            document = document[key]
        document[keys[-1]] = value

    return edit


def _drop(*keys: str) -> Callable[[dict], None]:
    def edit(document: dict) -> None:
        for key in keys[:-1]:
            document = document[key]
        del document[keys[-1]]

    return edit


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (_drop("model", "labels"), "config.json: model.labels is missing"),
        (_drop("text", "symbols"), "config.json: text.symbols is missing"),
        (_drop("audio", "sample_rate"), "config.json: audio.sample_rate is missing"),
        (_drop("model", "n_symbols"), "model is incomplete"),
        (_set("model", "labels", value="happy"), "model.labels is str 'happy'; accepted: a list"),
        (_set("model", "speakers", value=7), "model.speakers is int 7; accepted: a list"),
        (_set("text", "symbols", value=[1, 2]), "text.symbols[0] is int 1; accepted: a string"),
        (_set("text", "language", value=3), "text.language is int 3; accepted: a string"),
        (_set("audio", "sample_rate", value="x"), "audio.sample_rate is str 'x'"),
        (_set("audio", "hop_length", value=0), "audio.hop_length is 0; accepted: a number > 0"),
        (_set("model", "n_symbols", value=-1), "model.n_symbols is -1; accepted: a number > 0"),
        (_set("model", "hidden", value=3.5), "model.hidden is float 3.5; accepted: an integer"),
        (_set("model", "pitch_mean", value=None), "model.pitch_mean is NoneType None"),
        (_set("model", "hidden", value=96), "does not match"),
        (_set("vocoder", value=5), "vocoder is int 5; accepted: a string"),
        (_set("model", value=[]), "model is list []; accepted: a JSON object"),
    ],
)
def test_bad_config_json(voices, tmp_path, capsys, edit, needle) -> None:
    directory = _copy(voices["torch"], tmp_path)
    _edit_json(directory / "config.json", edit)
    message = _refused(directory, needle, tmp_path, capsys)
    assert str(directory) in message


def test_config_json_not_text(voices, tmp_path, capsys) -> None:
    directory = _copy(voices["torch"], tmp_path)
    (directory / "config.json").write_bytes(b"\xff\xfe\x00{")
    _refused(directory, "config.json is not UTF-8 text", tmp_path, capsys)


# --- ONNX voice: graphs ------------------------------------------------------------------


@pytest.mark.parametrize("graph", ["acoustic.onnx", "flow.onnx", "vocoder.onnx"])
@pytest.mark.parametrize(
    ("damage", "checksum"),
    [
        (_truncate(0.0), True),
        (_truncate(0.5), True),
        (_flip(-10), True),
        (_truncate(0.0), False),
        (_truncate(0.5), False),
        (_flip(40), False),
    ],
    # Without the checksum a flipped byte is caught only where it breaks the protobuf (at
    # offset 40, in the header); one inside a weight would load: the checksum is what sees it.
    ids=["empty", "half", "weight-byte", "empty-no-sha", "half-no-sha", "header-byte-no-sha"],
)
def test_damaged_graph(voices, tmp_path, capsys, graph, damage, checksum) -> None:
    directory = _copy(voices["onnx"], tmp_path)
    if not checksum:  # a voice exported before checksums existed
        _edit_json(directory / "voice.json", lambda d: d.pop("sha256"))
    damage(directory / graph)
    needle = "is damaged: its SHA-256 differs" if checksum else "is not a loadable ONNX graph"
    message = _refused(directory, needle, tmp_path, capsys)
    assert str(directory / graph) in message


@pytest.mark.parametrize(
    ("source", "target", "needle"),
    [
        ("acoustic.onnx", "vocoder.onnx", "the vocoder graph's inputs are"),
        ("vocoder.onnx", "acoustic.onnx", "acoustic graph inputs are ('mel',)"),
        ("vocoder.onnx", "flow.onnx", "flow graph's metadata has no usable mel_mean"),
    ],
)
def test_swapped_graphs(voices, tmp_path, capsys, source, target, needle) -> None:
    directory = _copy(voices["onnx"], tmp_path)
    _edit_json(directory / "voice.json", lambda d: d.pop("sha256"))
    shutil.copy(directory / source, directory / target)
    _refused(directory, needle, tmp_path, capsys)


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (_drop("graphs", "vocoder"), "voice.json: graphs.vocoder is missing"),
        (_set("graphs", value="acoustic.onnx"), "graphs is str 'acoustic.onnx'"),
        (_set("graphs", "acoustic", value=None), "graphs.acoustic is NoneType None"),
        (_set("graphs", "vocoder", value="/etc/passwd"), "accepted: a file name inside"),
        (_set("graphs", "vocoder", value="../onnx/vocoder.onnx"), "accepted: a file name inside"),
        (_set("graphs", "flow", value="missing.onnx"), "names 'missing.onnx', but"),
        (_set("speakers", value=5), "voice.json: speakers is int 5; accepted: a list"),
        (_set("speakers", value=[]), "speakers is []; accepted: a non-empty list"),
        (_set("emotion", "labels", value=None), "emotion.labels is NoneType None"),
        (_set("audio", "log_floor", value="x"), "audio.log_floor is str 'x'"),
        (_set("audio", "f_max", value=-1), "audio.f_max is -1; accepted: a number > 0"),
        (_drop("audio", "n_mels"), "audio.n_mels is missing"),
        (_set("pitch", value=5), "voice.json: pitch is int 5; accepted: a JSON object"),
        (_drop("pitch", "log_f0_std"), "pitch.log_f0_std is missing"),
        (_set("flow", "steps", value="3"), "flow.steps is str '3'; accepted: an integer"),
        (_set("vocoder_context_frames", value="x"), "vocoder_context_frames is str 'x'"),
        (_set("emotion", "adv", "happy", value=["a"]), "emotion.adv.happy[0] is str 'a'"),
        (_set("defaults", "speed", value="fast"), "defaults.speed is str 'fast'"),
        (_set("version", value=2), "format version 2 is not supported"),
    ],
)
def test_bad_voice_json(voices, tmp_path, capsys, edit, needle) -> None:
    directory = _copy(voices["onnx"], tmp_path)
    _edit_json(directory / "voice.json", edit)
    _refused(directory, needle, tmp_path, capsys)


def test_intact_copies_load(voices, tmp_path) -> None:
    """The mutations above are what fails: unmodified copies synthesize."""
    for kind in ("torch", "onnx"):
        audio = load_voice(_copy(voices[kind], tmp_path / kind)).synthesize("Hello there.")
        assert audio.duration > 0.1


# --- manifests -----------------------------------------------------------------------------

GOOD_ROW = {"id": "a", "audio": "a.wav", "text": "Hi.", "speaker": "s", "emotion": "happy"}


@pytest.mark.parametrize(
    ("lines", "needle"),
    [
        ([json.dumps(GOOD_ROW), '{"id": "b", "audio": "b.wav"'], ":2: not valid JSON"),
        ([json.dumps(GOOD_ROW), "[1, 2]"], ":2: expected a JSON object, got list"),
        ([json.dumps({**GOOD_ROW, "text": 5})], ":1: field 'text' is 5"),
        ([json.dumps({**GOOD_ROW, "adv": [1, 2]})], ":1: field 'adv' is [1, 2]"),
        ([json.dumps({**GOOD_ROW, "split": ["x"]})], ":1: field 'split' is ['x']"),
        ([json.dumps(GOOD_ROW), json.dumps(GOOD_ROW)], ":2: id 'a' already used on line 1"),
        ([json.dumps(GOOD_ROW)[:20]], ":1: not valid JSON"),
    ],
)
def test_broken_manifest_lines(tmp_path, lines, needle) -> None:
    path = tmp_path / "manifest.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_manifest(path)
    assert f"{path}{needle}" in str(caught.value), str(caught.value)


def test_manifest_with_invalid_utf8(tmp_path) -> None:
    path = tmp_path / "manifest.jsonl"
    path.write_bytes(json.dumps(GOOD_ROW).encode() + b"\n" + b'{"id": "\xff"}\n')
    with pytest.raises(ConfigError, match=rf"{path}:2: not UTF-8 text"):
        read_manifest(path)
