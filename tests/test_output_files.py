"""Output files: refused early when they cannot be written, never left half-written.

The disk-full case is real: RLIMIT_FSIZE makes the kernel refuse writes past a size (EFBIG),
as a full disk refuses them (ENOSPC), and the writer must clean up after either.
"""

import resource
import signal

import numpy as np
import pytest
import soundfile as sf

from emotts.audio.io import save_audio
from emotts.audio.writer import AudioWriter
from emotts.errors import AudioError

RATE = 22050


def test_progressive_writes_join_into_one_file(tmp_path):
    target = tmp_path / "x.flac"
    chunks = [np.sin(np.arange(1000 * k, 1000 * (k + 1)) / 20).astype(np.float32) * 0.5
              for k in range(5)]  # fmt: skip
    with AudioWriter(target, RATE) as out:
        for chunk in chunks:
            out.write(chunk)
            assert not target.exists()  # only the temporary file exists until the end
    data, rate = sf.read(target, dtype="float32")
    assert rate == RATE and np.allclose(data, np.concatenate(chunks), atol=1e-4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.flac"]


def test_missing_folder_and_unwritable_place_are_refused(tmp_path):
    with pytest.raises(AudioError, match="folder .*missing.* does not exist"):
        save_audio(tmp_path / "missing" / "x.wav", np.zeros(10), RATE)
    with pytest.raises(AudioError, match="cannot create a file in '/proc'"):
        save_audio("/proc/emotts-test.wav", np.zeros(10), RATE)
    with pytest.raises(AudioError, match="it is a folder"):
        (tmp_path / "d.wav").mkdir()
        save_audio(tmp_path / "d.wav", np.zeros(10), RATE)


def test_failure_midway_keeps_the_old_file_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "x.wav"
    save_audio(target, np.full(100, 0.25, np.float32), RATE)
    with pytest.raises(RuntimeError), AudioWriter(target, RATE) as out:
        out.write(np.zeros(1000, np.float32))
        raise RuntimeError("interrupted")
    assert sf.read(target)[0].shape == (100,)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.wav"]


def test_disk_full_gives_a_clear_error_and_no_partial_file(tmp_path):
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    previous_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, previous_limit[1]))
    try:
        with (
            pytest.raises(AudioError, match="is the disk full"),
            AudioWriter(tmp_path / "x.wav", RATE) as out,
        ):
            for _ in range(10):
                out.write(np.zeros(RATE, np.float32))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, previous_limit)
        signal.signal(signal.SIGXFSZ, previous_handler)
    assert list(tmp_path.iterdir()) == []
