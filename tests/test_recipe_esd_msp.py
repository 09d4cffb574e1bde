"""The ESD + MSP-Podcast mixed-supervision recipe, end to end on fixture trees in the real layouts.

Both corpora are prepared from small trees laid out as the releases are (see
test_recipes_esd.py and test_recipes_msp_podcast.py), mixed with ESD giving labels and
MSP-Podcast giving ADV, and `recipes/esd_msp/config.yaml` is trained with only its paths, preset
and step count changed (what a user with the real corpora changes is the paths); the voice then
renders a label and an ADV request.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from test_recipes_common import prepare
from test_recipes_esd import _build as build_esd
from test_recipes_msp_podcast import _build as build_msp

from emotts.cli import main
from emotts.data.manifest import read_manifest
from emotts.data.mix import MixSource, mix_manifests
from emotts.errors import ConfigError

RECIPE = Path(__file__).resolve().parents[1] / "recipes" / "esd_msp" / "config.yaml"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("corpora")
    build_esd(root / "ESD")
    build_msp(root / "MSP-PODCAST-Publish-1.11")
    # The MSP fixture's transcripts name their segment ("words of 0001_0008"); training needs
    # speakable text, so give each a sentence.
    for index, path in enumerate(sorted((root / "MSP-PODCAST-Publish-1.11").rglob("*.txt"))):
        path.write_text(f"This is podcast segment number {index + 1}.\n", encoding="utf-8")
    assert prepare("esd", root / "ESD", root / "esd") == 0
    assert prepare("msp_podcast", root / "MSP-PODCAST-Publish-1.11", root / "msp") == 0
    return root / "esd", root / "msp"


@pytest.fixture(scope="module")
def mixed(prepared, tmp_path_factory) -> Path:
    esd, msp = prepared
    out = tmp_path_factory.mktemp("mixed") / "esd_msp"
    assert (
        main(["data", "mix", f"{esd}:label", f"{msp / 'manifest.jsonl'}:adv", "--out", str(out)])
        == 0
    )
    return out


def test_mix_keeps_labels_from_esd_and_adv_from_msp(prepared, mixed):
    esd, msp = (read_manifest(p / "manifest.jsonl") for p in prepared)
    rows = {r.id: r for r in read_manifest(mixed / "manifest.jsonl")}
    assert set(rows) == {e.id for e in esd} | {e.id for e in msp if e.adv is not None}
    for entry in esd:
        row = rows[entry.id]
        assert row.emotion == entry.emotion and row.adv is None
    for entry in msp:
        row = rows[entry.id]
        assert row.emotion is None and row.adv == entry.adv
        # The hidden class is kept for analysis, not lost.
        assert row.extra.get("hidden_emotion") == entry.emotion
    for row in rows.values():  # audio resolves from the new folder
        assert row.audio_path(mixed).resolve().is_file()
    report = json.loads((mixed / "mix.json").read_text())
    assert report["supervision"] == {"label": len(esd), "adv": len(msp)}
    assert [s["kept"] for s in report["sources"]] == [len(esd), len(msp)]
    config = yaml.safe_load((mixed / "config.yaml").read_text())
    assert config["data"]["speakers"] == sorted({r.speaker for r in rows.values()})
    assert config["data"]["labels"][0] == "neutral"


def test_rows_without_the_asked_supervision_are_counted(prepared, tmp_path, capsys):
    esd, _ = prepared
    # ESD rows have no ADV: used for ADV, every row is left out, and that is said.
    code = main(["data", "mix", f"{esd}:adv", f"{prepared[1]}:adv", "--out", str(tmp_path / "m")])
    assert code == 0
    out = capsys.readouterr().out
    assert "carry no adv and were left out" in out
    report = json.loads((tmp_path / "m" / "mix.json").read_text())
    assert report["sources"][0]["kept"] == 0 and report["sources"][0]["left_out"] > 0


@pytest.mark.parametrize(
    ("sources", "needle"),
    [
        (["{esd}:label"], "at least two sources"),
        (["{esd}:label", "{esd}:adv"], "the same manifest is given twice"),
        (["{esd}:label", "{missing}:adv"], "is not a manifest"),
        (
            ["{esd}:label", "{msp}:labels"],
            "is not a manifest; accepted: PATH or PATH:label|adv|both",
        ),
    ],
)
def test_bad_mixes_are_refused_with_what_is_accepted(prepared, tmp_path, capsys, sources, needle):
    esd, msp = prepared
    args = [s.format(esd=esd, msp=msp, missing=tmp_path / "nope") for s in sources]
    assert main(["data", "mix", *args, "--out", str(tmp_path / "out")]) != 0
    assert needle in capsys.readouterr().err


def test_a_shared_speaker_or_id_is_refused(prepared, tmp_path):
    esd, _ = prepared
    copy = tmp_path / "copy.jsonl"
    lines = (esd / "manifest.jsonl").read_text().splitlines()
    copy.write_text("\n".join(lines) + "\n")
    with pytest.raises(ConfigError, match="is in both"):
        mix_manifests(
            [MixSource(esd / "manifest.jsonl", "label"), MixSource(copy, "label")], tmp_path
        )


def test_recipe_config_trains_on_the_mix_and_renders_label_and_adv(mixed, tmp_path, capsys):
    config = yaml.safe_load(RECIPE.read_text())
    config["data"].update(manifest=str(mixed / "manifest.jsonl"), cache_dir=str(tmp_path / "cache"))
    config["model"]["preset"] = "tiny"  # test speed; the recipe's own preset is "default"
    config["train"].update(
        output_dir=str(tmp_path / "run"), max_steps=4, batch_size=4, num_workers=0
    )
    config["train"].update(
        checkpoint_every_n_steps=4, val_every_n_steps=4, log_audio_every_n_steps=0
    )
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    assert main(["train", "--config", str(path), "--quiet"]) == 0
    rows = len(read_manifest(mixed / "manifest.jsonl"))
    # Every row, label-only and ADV-only alike, reached training.
    assert f"cache: {rows} built, 0 already cached, 0 failed" in capsys.readouterr().out

    from emotts.backends import load_voice

    voice = load_voice(str(tmp_path / "run" / "voice"), vocoder="griffinlim")
    speakers = set(voice.speakers)
    assert {"esd_0011", "esd_0012", "msp_30"} <= speakers
    assert "angry" in voice.labels and "surprised" in voice.labels
    label = np.asarray(voice.synthesize("It is over now.", emotion="angry").samples)
    adv = np.asarray(voice.synthesize("It is over now.", emotion="adv=0.5,0.2,-0.4").samples)
    assert label.size and adv.size and np.all(np.isfinite(label)) and np.all(np.isfinite(adv))
