"""Copy a trained voice directory into the package as fp16 weights (e.g. the default voice).

    python scripts/ship_voice.py runs/rhvoice_emotion/voice emotts/voices/default

The acoustic weights are halved to fp16 (the model card and `emotts.models.checkpoint` load
them back as fp32); the config is copied unchanged apart from the recorded source.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from emotts.audio.config import AudioConfig
from emotts.models.checkpoint import count_parameters, load_acoustic_model, save_voice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="trained voice directory")
    parser.add_argument("target", type=Path, help="where to write the fp16 voice")
    args = parser.parse_args()
    model, config = load_acoustic_model(args.source)
    extra = dict(config.get("extra", {}))
    if extra.get("recipe"):
        # Keep machine-specific absolute paths out of a shipped config.
        recipe = Path(extra["recipe"]).resolve()
        extra["recipe"] = (
            str(recipe.relative_to(Path.cwd().resolve()))
            if recipe.is_relative_to(Path.cwd().resolve())
            else recipe.name
        )
    save_voice(
        args.target,
        model,
        audio_config=AudioConfig.from_dict(config["audio"]),
        language=config["text"]["language"],
        symbols=config["text"]["symbols"],
        vocoder=config.get("vocoder", "hifigan-universal"),
        half=True,
        extra=extra,
    )
    size = (args.target / "model.safetensors").stat().st_size
    print(
        f"{args.target}: {count_parameters(model) / 1e6:.2f} M parameters, {size / 1e6:.1f} MB fp16"
    )


if __name__ == "__main__":
    main()
