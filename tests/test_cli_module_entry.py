"""`python -m emotts` runs the same CLI as the console script (docs use it, e.g. under srun)."""

import subprocess
import sys


def test_python_dash_m_emotts_lists_the_labels():
    result = subprocess.run(
        [sys.executable, "-m", "emotts", "emotions"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    for label in ("neutral", "happy", "sad", "angry"):
        assert label in result.stdout


def test_python_dash_m_emotts_fails_on_an_unknown_command():
    result = subprocess.run(
        [sys.executable, "-m", "emotts", "no-such-command"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "no-such-command" in result.stderr
