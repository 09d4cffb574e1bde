"""Merge `emotts eval` output folders run in parallel (e.g. one process per speaker pair).

    python scripts/merge_eval_runs.py OUT SHARD [SHARD ...]

Each SHARD is the --out of an `emotts eval` run with the same settings (voice, vocoder, judge,
raw intensity, reference manifest: `settings.json` must be identical). Their scored records
(`items.jsonl`) and audio are copied into OUT, audio paths rewritten to OUT's copies. Then run
the same `emotts eval` command with `--out OUT` and every speaker: it finds every item scored
and only writes the report (per-speaker table, distinctness, plots).

An id scored in two shards must be the same request with the same record, else the merge is
refused: two different renderings of one item cannot both be the answer.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path


def _records(shard: Path) -> list[dict]:
    path = shard / "items.jsonl"
    if not path.is_file():
        raise SystemExit(f"{shard}: no items.jsonl; give the --out folder of an emotts eval run")
    lines = path.read_text(encoding="utf-8").splitlines()
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            if number == len(lines):  # a killed run's half-written last line
                continue
            raise SystemExit(f"{path} line {number} is not JSON") from None
    return records


def merge(out: Path, shards: list[Path]) -> int:
    settings = [(s, (s / "settings.json").read_text(encoding="utf-8")) for s in shards]
    first = json.loads(settings[0][1])
    for shard, text in settings[1:]:
        if json.loads(text) != first:
            raise SystemExit(f"{shard}/settings.json differs from {shards[0]}'s: {text}")
    if (out / "items.jsonl").exists():
        raise SystemExit(f"{out} already holds items.jsonl; give an empty or new folder")
    out.mkdir(parents=True, exist_ok=True)
    (out / "settings.json").write_text(json.dumps(first, indent=2), encoding="utf-8")
    merged: dict[str, dict] = {}
    for shard in shards:
        for record in _records(shard):
            audio = record.get("audio")
            if audio:
                source = Path(audio)
                relative = source.relative_to(shard) if source.is_relative_to(shard) else None
                if relative is not None:
                    target = out / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)
                    record["audio"] = str(target)
            known = merged.get(record["id"])
            if known is not None and known != record:
                raise SystemExit(f"item {record['id']} was scored differently in two shards")
            merged[record["id"]] = record
    with (out / "items.jsonl").open("w", encoding="utf-8") as handle:
        for record in merged.values():
            handle.write(json.dumps(record, default=str) + "\n")
    return len(merged)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("shards", type=Path, nargs="+")
    args = parser.parse_args(argv)
    count = merge(args.out, args.shards)
    print(f"{count} scored items from {len(args.shards)} runs in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
