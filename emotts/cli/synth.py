"""`emotts synth`: text (+ markup) to a wav file, or raw PCM on stdout with --stream."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from emotts.emotion.from_text import AutoEmotion
from emotts.emotion.presets import PROSODY_FIELDS, merge_prosody
from emotts.emotion.spec import EmotionSpec
from emotts.errors import ControlError, EmotionSpecError, TextError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="synthesize speech with emotion",
        description="Synthesize speech. Text may carry inline emotion markup, e.g. "
        "'I <emotion name=\"happy\">love</emotion> it'; see docs/emotion-control.md.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("-t", "--text", help="text to speak (default: read stdin)")
    source.add_argument("-i", "--input-file", type=Path, help="UTF-8 text file to speak")
    parser.add_argument(
        "-o", "--output", type=Path, help="output .wav/.flac (required unless --stream)"
    )
    parser.add_argument(
        "-v", "--voice", help="voice directory or shipped voice name (default: the default voice)"
    )
    parser.add_argument(
        "-e",
        "--emotion",
        help="label, blend or ADV: 'happy', 'happy:0.6,surprised:0.4', 'adv=0.7,0.2,-0.5'; "
        "a preset: 'preset:tired' (see `emotts presets`); or 'auto' to read each sentence's "
        "emotion from its words (printed on stderr)",
    )
    parser.add_argument(
        "--preset",
        help="emotion preset (emotion + speed, pitch, energy; see `emotts presets`); "
        "-e/--adv, --intensity, --speed, --pitch-shift and --energy-scale given explicitly "
        "override the preset's values",
    )
    parser.add_argument(
        "--emotion-from",
        type=Path,
        action="append",
        metavar="CLIP",
        help="take the emotion from a reference audio clip, judged by the evaluation judge; "
        "repeat to average several clips; the estimate is printed as a reusable -e spec",
    )
    parser.add_argument(
        "--emotion-from-mode",
        choices=("labels", "adv"),
        default="labels",
        help="use the clips' judged label blend (default) or their judged ADV vector",
    )
    parser.add_argument(
        "--judge", help="emotion judge folder for --emotion-from (default: the shipped judge)"
    )
    parser.add_argument(
        "--presets",
        type=Path,
        help="YAML file of extra presets, merged over the shipped ones (default: $EMOTTS_PRESETS)",
    )
    parser.add_argument(
        "--intensity",
        type=float,
        help="emotion intensity: 0 neutral, 1 as trained, up to 2; down to -1 flips",
    )
    parser.add_argument(
        "--raw-intensity",
        action="store_true",
        help="send intensities to the model as given, without the voice's intensity "
        "calibration (the behaviour before calibration)",
    )
    parser.add_argument(
        "--adv", help="arousal,dominance,valence each in [-1, 1], e.g. 0.7,0.2,-0.5"
    )
    parser.add_argument("-s", "--speaker", help="speaker name or index (multi-speaker voices)")
    parser.add_argument(
        "--speed", type=float, help="tempo, higher is faster (default 1, or the preset's)"
    )
    parser.add_argument("--duration", type=float, help="exact total duration in seconds")
    parser.add_argument("--pitch-shift", type=float, help="semitones (default 0, or the preset's)")
    parser.add_argument(
        "--pitch-range", type=float, default=1.0, help="pitch movement scale (default 1)"
    )
    parser.add_argument(
        "--energy-scale", type=float, help="loudness scale (default 1, or the preset's)"
    )
    flow = parser.add_argument_group("flow-matching voices (docs/flow-decoder.md)")
    flow.add_argument(
        "--guidance",
        type=float,
        metavar="W",
        help="emotion guidance: 1 as trained (default), 0 no emotion, 2-3 stronger",
    )
    flow.add_argument("--avoid", metavar="LABEL", help="steer away from this emotion label")
    flow.add_argument(
        "--avoid-guidance",
        type=float,
        metavar="W",
        help="weight of the --avoid push (default 1)",
    )
    flow.add_argument("--flow-steps", type=int, metavar="N", help="sampler steps (voice default)")
    flow.add_argument("--temperature", type=float, help="noise scale (voice default, usually 1)")
    flow.add_argument(
        "--seed",
        type=int,
        help="sampling seed: the same seed gives the same audio (default: fresh each run)",
    )
    parser.add_argument("--backend", choices=("auto", "torch", "onnx"), default="auto")
    parser.add_argument(
        "--vocoder", help="vocoder instead of the voice's own (see `emotts vocoders`)"
    )
    parser.add_argument("--threads", type=int, help="CPU threads for inference")
    parser.add_argument(
        "--timings",
        type=Path,
        help="also write word and phoneme timings as JSON (with --stream: absolute times, "
        "written when the stream ends)",
    )
    parser.add_argument(
        "--stream", action="store_true", help="write 16-bit PCM to stdout sentence by sentence"
    )
    parser.add_argument(
        "--ssml",
        action="store_true",
        help="read the text as SSML even without a leading <speak> (SSML is detected otherwise)",
    )
    parser.add_argument(
        "--ssml-lenient",
        action="store_true",
        help="speak the text of unsupported SSML elements and skip unsupported attributes, "
        "listing them on stderr, instead of failing",
    )
    parser.set_defaults(func=run)


def _report_ignored(ignored: list[str]) -> None:
    for item in ignored:
        print(f"emotts synth: ignored {item}", file=sys.stderr)


def decode_utf8(data: bytes, source: str) -> str:
    """``data`` as UTF-8 text; anything else is refused with the offset of the first bad byte
    (a file in another encoding would otherwise be read as garbage or half-dropped)."""
    try:
        return data.decode("utf-8-sig")  # a BOM is dropped
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 4]
        raise TextError(
            f"{source} is not UTF-8 text: byte 0x{data[error.start]:02x} at byte offset "
            f"{error.start} ({bad!r}...) cannot be decoded. Accepted: UTF-8; convert the text "
            "first, e.g. iconv -f LATIN1 -t UTF-8"
        ) from None


def _read_text(args) -> str:
    if args.text is not None:
        # Undecodable bytes of a command line arrive as lone surrogates (surrogateescape).
        if any("\udc80" <= ch <= "\udcff" for ch in args.text):
            return decode_utf8(args.text.encode("utf-8", "surrogateescape"), "-t/--text")
        return args.text
    if args.input_file is not None:
        try:
            data = args.input_file.read_bytes()
        except OSError as error:
            raise ControlError(f"cannot read --input-file {args.input_file}: {error}") from None
        return decode_utf8(data, f"--input-file {args.input_file}")
    if sys.stdin is None or sys.stdin.isatty():
        raise ControlError("no text given: use -t/--text, -i/--input-file, or pipe text on stdin")
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text-only stream (tests, embedding): already decoded
        return sys.stdin.read()
    return decode_utf8(stream.read(), "stdin")


def _clip_emotion(args) -> EmotionSpec:
    """The judged emotion of the --emotion-from clips, printed as a reusable spec."""
    from emotts.emotion.from_clip import estimate_clip_emotion

    if args.emotion is not None or args.adv is not None:
        raise EmotionSpecError(
            "both --emotion-from and an emotion (-e/--adv) are given. Accepted: one of them"
        )
    estimate = estimate_clip_emotion(args.emotion_from, args.judge)
    spec = estimate.spec(args.emotion_from_mode, 1.0 if args.intensity is None else args.intensity)
    heard = ", ".join(
        f"{label} {p:.2f}"
        for label, p in sorted(estimate.probabilities.items(), key=lambda x: -x[1])
    )
    adv = "" if estimate.adv is None else " adv=" + ",".join(f"{x:.2f}" for x in estimate.adv)
    print(
        f"emotion from {len(estimate.clips)} clip(s): -e {str(spec)!r} (judged: {heard};{adv})",
        file=sys.stderr,
    )
    return spec


def _explicit_emotion(args) -> EmotionSpec | AutoEmotion:
    """-e/--adv/--intensity as given, the --emotion-from clips' estimate, or ``auto``."""
    from emotts.emotion.from_text import is_auto, parse_auto
    from emotts.emotion.spec import parse_emotion

    if args.emotion_from:
        return _clip_emotion(args)
    if not is_auto(args.emotion):
        return parse_emotion(args.emotion, intensity=args.intensity, adv=args.adv)
    if args.adv is not None:
        raise EmotionSpecError(
            "both -e auto and an ADV vector (--adv) are given. Accepted: one of them"
        )
    return parse_auto(args.emotion, args.intensity)


def _emotion_and_prosody(args) -> tuple[EmotionSpec | AutoEmotion, dict[str, float]]:
    """The emotion and the speed/pitch/energy settings: explicit flags, else the preset's."""
    from emotts.emotion.presets import is_preset_reference, resolve_preset

    preset = None
    if args.preset is not None and is_preset_reference(args.emotion):
        raise EmotionSpecError(
            "two presets are given (--preset and -e preset:NAME). Accepted: one of them"
        )
    if is_preset_reference(args.emotion):
        if args.adv is not None:
            raise EmotionSpecError(
                "both a preset (-e preset:NAME) and an ADV vector (--adv) are given. "
                "Accepted: one of them"
            )
        preset = resolve_preset(args.emotion, args.presets)
    elif args.preset is not None:
        preset = resolve_preset(args.preset, args.presets)
    takes_preset_emotion = args.emotion is None or is_preset_reference(args.emotion)
    if preset is not None and args.adv is None and not args.emotion_from and takes_preset_emotion:
        emotion = preset.emotion
        if args.intensity is not None:
            emotion = emotion.with_intensity(args.intensity)
    else:
        emotion = _explicit_emotion(args)
    explicit = {name: getattr(args, name) for name in PROSODY_FIELDS}
    return emotion, merge_prosody(preset, **explicit)


def _write_timings(path: Path, timings: dict) -> None:
    from emotts.output_files import write_side_file

    write_side_file(path, json.dumps(timings, indent=2), "--timings")


def _print_inferred(text: str, emotion) -> None:
    """Show what ``auto`` read from each sentence, as specs the user can reuse with -e."""
    from emotts.text.frontend import inferred_emotions

    for spec, estimate in inferred_emotions(text, emotion):
        print(
            f"auto: {spec} (confidence {estimate.confidence:.2f}, valence "
            f"{estimate.valence:+.2f}) <- {estimate.text.strip()!r}",
            file=sys.stderr,
        )


def run(args) -> int:
    from emotts.audio.writer import AudioWriter, check_output_path
    from emotts.backends import load_voice
    from emotts.synthesis.result import Timeline
    from emotts.text.ssml import looks_like_ssml

    if not args.stream and args.output is None:
        raise ControlError("-o/--output is required (or use --stream to write PCM to stdout)")
    if args.stream and args.output is not None:
        raise ControlError("--stream writes to stdout; drop -o/--output, or drop --stream")
    from emotts.output_files import check_side_file

    # Before any work: a path that cannot be written is refused now, not after synthesis.
    if args.output is not None:
        check_output_path(args.output)
    if args.timings is not None:
        check_side_file(args.timings, "--timings")
    text = _read_text(args)
    emotion, prosody = _emotion_and_prosody(args)
    if not args.ssml and not looks_like_ssml(text):
        # `auto` reads emotts markup only (issue 16); SSML input is parsed by the synthesizer.
        _print_inferred(text, emotion)
    voice = load_voice(args.voice, backend=args.backend, vocoder=args.vocoder, threads=args.threads)
    options = dict(
        speaker=args.speaker,
        **prosody,
        pitch_range=args.pitch_range,
        ssml=True if args.ssml else None,
        ssml_lenient=args.ssml_lenient,
        guidance=args.guidance,
        avoid=args.avoid,
        avoid_guidance=args.avoid_guidance,
        steps=args.flow_steps,
        temperature=args.temperature,
        seed=args.seed,
        raw_intensity=args.raw_intensity,
    )
    if args.stream:
        if args.duration is not None:
            raise ControlError("--duration cannot be combined with --stream")
        timeline = Timeline(voice.sample_rate, keep=args.timings is not None)
        for part in voice.stream(text, emotion, **options):
            _report_ignored(part.ignored)
            pcm = (part.samples * 32767.0).round().astype("<i2")
            sys.stdout.buffer.write(pcm.tobytes())
            sys.stdout.buffer.flush()
            timeline.append(part)
        if args.timings is not None:
            _write_timings(args.timings, timeline.timings_dict())
        print(f"streamed 16-bit mono PCM at {voice.sample_rate} Hz", file=sys.stderr)
        return 0
    # Written piece by piece as it is synthesized (memory does not grow with the text); the
    # file appears under its name only when complete (AudioWriter: temporary file + rename).
    timeline = Timeline(voice.sample_rate, keep=args.timings is not None)
    parts = voice.synthesize_parts(text, emotion, duration=args.duration, **options)
    with AudioWriter(args.output, voice.sample_rate) as out:
        for part in parts:
            _report_ignored(part.ignored)
            out.write(part.samples)
            timeline.append(part)
    if args.timings is not None:
        _write_timings(args.timings, timeline.timings_dict())
    print(
        f"wrote {args.output} ({timeline.duration:.2f} s, {voice.sample_rate} Hz, "
        f"emotion {emotion})",
        file=sys.stderr,
    )
    return 0
