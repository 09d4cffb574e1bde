"""The say-as judge: what counts as the intended reading, and the default voice judged by it."""

from __future__ import annotations

import json

import pytest

from emotts.eval.say_as import QUICK_CASES, SAY_AS_CASES, reads_as, say_as_summary


@pytest.mark.parametrize(
    ("transcript", "reading"),
    [
        ("Your pin is zero for five one now.", "zero four five one"),
        ("spell it XYZ please.", "x y z"),
        ("Meet me at three thirty p.m. today.", "three thirty pm"),
        ("The train leaves at fourteen o five.", "fourteen oh five"),
        ("It began in October 2019.", "october twenty nineteen"),
        ("We sold 1,234 tickets.", "one thousand two hundred and thirty four"),
    ],
)
def test_same_reading_in_other_spellings_passes(transcript, reading) -> None:
    assert reads_as(transcript, reading)


@pytest.mark.parametrize(
    ("transcript", "reading"),
    [
        ("Your pin is 451 now.", "zero four five one"),  # read as a number, zero dropped
        ("Your pin is four hundred fifty one.", "zero four five one"),
        ("The code is IB today.", "a b"),
        ("She came to end the first in the race.", "twenty first"),
        ("Meet me at free thirty p.m.", "three thirty pm"),
        ("It ships on December 25, 2024.", "december twenty fifth twenty twenty four"),
    ],
)
def test_another_reading_fails(transcript, reading) -> None:
    assert not reads_as(transcript, reading)


def test_cases_cover_every_kind_and_parse() -> None:
    from emotts.text import SymbolTable, TextFrontend

    assert {c.kind for c in SAY_AS_CASES} == {
        "characters", "cardinal", "ordinal", "digits", "date", "time", "telephone",
    }  # fmt: skip
    assert {c.ssml.split('format="')[1][:3] for c in SAY_AS_CASES if "format" in c.ssml} >= {
        "mdy", "dmy", "ymd",
    }  # fmt: skip
    frontend = TextFrontend(SymbolTable.default(), "en-us")
    for case in SAY_AS_CASES:
        assert frontend.read(f"<speak>{case.ssml}</speak>").segments


def test_summary_counts_per_kind() -> None:
    records = [
        {"name": "a", "kind": "date", "passed": True},
        {"name": "b", "kind": "date", "passed": False},
        {"name": "c", "kind": "time", "passed": True},
    ]
    summary = say_as_summary(records)
    assert summary["passed"] == 2 and summary["n"] == 3
    assert summary["by_kind"] == {"date": 0.5, "time": 1.0}
    assert summary["failed"] == "b"


def _run_cli(tmp_path, *extra) -> dict:
    pytest.importorskip("faster_whisper")
    from emotts.cli import main

    assert main(["eval", "say-as", "--out", str(tmp_path), *extra]) == 0
    return json.loads((tmp_path / "say_as.json").read_text())


def test_default_voice_reads_the_quick_cases_as_intended(tmp_path) -> None:
    report = _run_cli(tmp_path, "--quick")
    assert [r["name"] for r in report["items"]] == [c.name for c in QUICK_CASES]
    failed = [(r["name"], r["transcripts"]) for r in report["items"] if not r["passed"]]
    assert not failed, failed


@pytest.mark.slow
def test_default_voice_reads_most_cases_as_intended(tmp_path) -> None:
    report = _run_cli(tmp_path)
    print(json.dumps(report["summary"], indent=1))
    assert report["summary"]["n"] == len(SAY_AS_CASES)
    assert report["summary"]["pass_rate"] >= 0.6, report["summary"]
