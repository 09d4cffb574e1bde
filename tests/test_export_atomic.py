"""`emotts export` over an existing ONNX voice replaces the folder as a whole (emotts.atomic
`atomic_folder`): a crash at any stage leaves the old voice or the new one, each complete.

Old voice: a tiny exported voice (speakers a, b). New voice: another tiny voice (speaker c),
exported for real over a copy of the old one. The crashes are real: a child
process re-exports (its writer copies the new voice's files, so no graph export is repeated)
and SIGKILLs itself at the stage under test; the folder is then loaded with `OnnxVoice.load`.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from emotts.atomic import recover_folder
from emotts.backends.onnx_voice import OnnxVoice
from emotts.errors import ConfigError
from emotts.models.untrained import make_untrained_voice
from emotts.onnx import export

OLD, NEW = ["a", "b"], ["c"]

# Child: re-export `target` from `source`, writing the files of `new` (an exported voice),
# and die by SIGKILL at `stage`.
_CHILD = r"""
import json, os, shutil, signal, sys
from pathlib import Path
import emotts.atomic as atomic
import emotts.onnx.export as export

stage, source, new, target = sys.argv[1:]

def die(*_):
    os.kill(os.getpid(), signal.SIGKILL)

def write(model, config, voice_config, vocoder, out, quantize):
    for index, name in enumerate(sorted(os.listdir(new))):
        shutil.copy2(Path(new) / name, out / name)
        if stage == "writing" and index == 0:
            die()  # one graph of the new voice written, the rest not
    return json.loads((out / "voice.json").read_text())

export._write_onnx_voice = write
if stage == "verified":
    verify = export.verify_exported
    export.verify_exported = lambda folder: (verify(folder), die())
if stage in ("aside", "renamed"):
    atomic._exchange = lambda first, second: False  # the two-rename path
    rename, calls = os.rename, []
    def counted(a, b):
        rename(a, b)
        calls.append(b)
        if stage == "aside" and len(calls) == 1:
            die()  # the old voice moved aside, the new one not renamed in yet
    atomic.os.rename = counted
if stage in ("exchanged", "renamed"):
    atomic.shutil.rmtree = die  # the new voice in place, the old one not removed yet
export.export_voice(source, target)
"""


def speakers(folder: Path) -> list[str]:
    return OnnxVoice.load(folder, threads=1).speakers


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


@pytest.fixture(scope="module")
def voices(tmp_path_factory) -> dict[str, Path]:
    """old: an exported voice; new: another one, exported over a copy of old (the real
    re-export); source: new's torch voice. vocos-emotts: the quicker graph to export."""
    root = tmp_path_factory.mktemp("reexport")
    made = {}
    for name, speakers in (("old", OLD), ("source", NEW)):
        made[name] = make_untrained_voice(
            root / f"{name}-torch", "tiny", speakers=speakers, vocoder="vocos-emotts"
        )
    old = export.export_voice(made["old"], root / "old").directory
    source = made["source"]
    new = root / "new"
    shutil.copytree(old, new)
    result = export.export_voice(source, new)
    assert result.directory == new and set(result.files) == {p.name for p in new.iterdir()}
    return {"old": old, "new": new, "source": source}


def test_reexport_replaces_the_whole_folder(voices) -> None:
    assert speakers(voices["old"]) == OLD
    assert speakers(voices["new"]) == NEW
    assert leftovers(voices["new"]) == []
    recorded = json.loads((voices["new"] / "voice.json").read_text())["sha256"]
    assert {p.name for p in voices["new"].iterdir()} == {"voice.json", *recorded}


@pytest.mark.parametrize(
    ("stage", "before_recovery", "after_recovery"),
    [
        ("writing", OLD, OLD),  # killed halfway through writing the new voice
        ("verified", OLD, OLD),  # killed after the new voice was written and verified
        ("exchanged", NEW, NEW),  # one-step swap done, old not yet removed
        ("aside", None, OLD),  # two renames: old aside, new not yet in
        ("renamed", NEW, NEW),  # two renames: new in, old not yet removed
    ],
)
def test_a_killed_reexport_leaves_one_complete_voice(
    voices, tmp_path, stage, before_recovery, after_recovery
) -> None:
    target = tmp_path / "voice"
    shutil.copytree(voices["old"], target)
    args = [str(voices["source"]), str(voices["new"]), str(target)]
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, stage, *args], capture_output=True, text=True, timeout=600
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    if before_recovery is None:
        assert not target.exists()  # the old voice is aside until recovery puts it back
    else:
        assert speakers(target) == before_recovery
    recover_folder(target)  # what the next export (or `atomic_folder`) does first
    assert speakers(target) == after_recovery
    assert leftovers(target) == []


def test_a_damaged_new_voice_is_refused_and_the_old_one_kept(voices, tmp_path, monkeypatch):
    target = tmp_path / "voice"
    shutil.copytree(voices["old"], target)

    def write(model, config, voice_config, vocoder, out, quantize):
        for path in voices["new"].iterdir():
            shutil.copy2(path, out / path.name)
        graph = out / "vocoder.onnx"
        graph.write_bytes(graph.read_bytes()[:1000])  # truncated after its checksum was taken
        return json.loads((out / "voice.json").read_text())

    monkeypatch.setattr(export, "_write_onnx_voice", write)
    with pytest.raises(ConfigError, match=r"vocoder\.onnx is damaged"):
        export.export_voice(voices["source"], target)
    assert speakers(target) == OLD
    assert leftovers(target) == []


def test_a_folder_with_other_files_is_refused(voices, tmp_path) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match=r"notes\.txt.*would delete them"):
        export.export_voice(voices["source"], target)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert leftovers(target) == []
