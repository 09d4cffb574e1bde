"""`emotts train-log`: legs of a resumed run, merged losses, time without the gaps, errors."""

from __future__ import annotations

import os

import pytest

from emotts.cli import main
from emotts.errors import ConfigError
from emotts.train.log_summary import (
    plot_training_log,
    read_training_log,
    steps_to_report,
    summary_table,
)


def _write_leg(folder, steps, start_time, seconds_per_step, offset, mtime):
    from torch.utils.tensorboard import SummaryWriter

    before = set(folder.iterdir())
    writer = SummaryWriter(str(folder))
    for i, step in enumerate(steps):
        wall = start_time + i * seconds_per_step
        writer.add_scalar("train/mel", 10.0 / (step + 1) + offset, step, walltime=wall)
        writer.add_scalar("train/lr", 1e-3, step, walltime=wall)
        if step % 100 == 99:
            writer.add_scalar("val/mel", 5.0 / (step + 1), step, walltime=wall)
    writer.close()
    (path,) = set(folder.iterdir()) - before
    # Legs are ordered by modification time; set it so the order does not hang on timing.
    os.utime(path, (mtime, mtime))


@pytest.fixture
def resumed_run(tmp_path):
    log_dir = tmp_path / "run" / "tensorboard"
    log_dir.mkdir(parents=True)
    # Leg 1: steps 0..299 over 299 s; leg 2 (a day later) resumes from the step-250
    # checkpoint: steps 250..499 over 249 s, and its values for 250..299 replace leg 1's.
    _write_leg(log_dir, range(0, 300), 1_000_000.0, 1.0, offset=1.0, mtime=1_000_000)
    _write_leg(log_dir, range(250, 500), 1_086_400.0, 1.0, offset=0.0, mtime=1_090_000)
    return tmp_path / "run"


def test_legs_are_timed_separately_and_later_values_win(resumed_run):
    log = read_training_log(resumed_run)
    assert len(log.legs) == 2
    assert (log.legs[0].first_step, log.legs[0].last_step) == (0, 299)
    assert (log.legs[1].first_step, log.legs[1].last_step) == (250, 499)
    # The day between the legs is not training time.
    assert log.seconds == pytest.approx(299 + 249)
    assert log.last_step == 499
    mel = dict(log.series["train/mel"])
    assert mel[260] == pytest.approx(10.0 / 261)  # leg 2's value (offset 0), not leg 1's
    assert mel[200] == pytest.approx(10.0 / 201 + 1.0)  # only leg 1 logged it
    assert "train/lr" not in log.series  # schedules are not losses
    assert [s for s, _ in log.series["val/mel"]] == [99, 199, 299, 399, 499]


def test_table_reports_first_and_last_step(resumed_run):
    table = summary_table(read_training_log(resumed_run))
    lines = table.splitlines()
    assert lines[0] == "| step | train/mel | val/mel |"
    assert lines[2].startswith("| 0 | ")
    assert lines[-1].startswith("| 499 | ")
    # train values are averaged over the last 5 logged steps; validation is the latest one.
    last_train = sum(10.0 / (s + 1) for s in range(495, 500)) / 5
    assert f"{last_train:.3f}" in lines[-1]
    assert f"{5.0 / 500:.3f}" in lines[-1]


def test_steps_to_report_picks_logged_steps():
    assert steps_to_report([49, 99, 149, 199]) == [49, 99, 149, 199]
    assert steps_to_report(list(range(0, 1001, 10))) == [0, 100, 250, 500, 750, 1000]
    assert steps_to_report([]) == []


def test_plot_is_written(resumed_run, tmp_path):
    out = plot_training_log(read_training_log(resumed_run), tmp_path / "plots" / "curves.png")
    assert out.stat().st_size > 10_000


def test_cli_prints_summary(resumed_run, tmp_path, capsys):
    assert main(["train-log", str(resumed_run), "--plot", str(tmp_path / "c.png")]) == 0
    out = capsys.readouterr().out
    assert "499 steps, 0.15 h of training in 2 leg(s)" in out
    assert "steps 250-499: 4.2 min" in out
    assert (tmp_path / "c.png").is_file()


def test_errors(tmp_path, capsys):
    with pytest.raises(ConfigError, match="is not a folder"):
        read_training_log(tmp_path / "missing")
    with pytest.raises(ConfigError, match="no TensorBoard event files"):
        read_training_log(tmp_path)
    (tmp_path / "events.out.tfevents.1.host.1.0").write_bytes(b"")
    with pytest.raises(ConfigError, match="hold no scalars"):
        read_training_log(tmp_path)
    assert main(["train-log", str(tmp_path / "missing")]) == 2
    assert "accepted: a run folder" in capsys.readouterr().err
