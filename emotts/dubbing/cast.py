"""The cast: character names (VTT ``<v Name>``, a script's ``voice`` column) -> the voice's
speakers.

Written ``Alice=0,Bob=narrator`` on the command line, or in a cast file: a JSON object
``{"Alice": 0, "Bob": "narrator"}`` or ``Name=speaker`` lines (``#`` starts a comment). A
speaker is a name or an index of the voice's speakers. ``*`` maps every name the cast does not
list. A name that is neither in the cast nor a speaker of the voice is an error listing both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from emotts.errors import ConfigError, ControlError
from emotts.synthesis.controls import resolve_speaker

WILDCARD = "*"
_CAST_HELP = (
    "Accepted: Name=speaker pairs separated by commas (Alice=0,Bob=1; * for any other name)"
)


@dataclass(frozen=True)
class Cast:
    """Character name -> speaker (name or index) of the voice."""

    roles: dict[str, str | int] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Cast:
        """``Alice=0,Bob=narrator`` (commas or newlines between pairs)."""
        roles: dict[str, str | int] = {}
        for raw in text.replace("\n", ",").split(","):
            item = raw.split("#", 1)[0].strip()
            if not item:
                continue
            name, equals, speaker = item.partition("=")
            name, speaker = name.strip(), speaker.strip()
            if not equals or not name or not speaker:
                raise ConfigError(f"cast entry {item!r} is not Name=speaker. {_CAST_HELP}")
            if name in roles:
                raise ConfigError(f"cast names {name!r} twice. {_CAST_HELP}")
            roles[name] = speaker
        return cls(roles)

    @classmethod
    def from_file(cls, path: str | Path) -> Cast:
        """A JSON object or ``Name=speaker`` lines."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"cannot read cast file {str(path)!r}: {error}") from None
        if not text.lstrip().startswith("{"):
            return cls.parse(text)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"cast file {str(path)!r} is not valid JSON: {error}") from None
        bad = [k for k, v in data.items() if isinstance(v, bool) or not isinstance(v, str | int)]
        if bad:
            raise ConfigError(
                f"cast file {str(path)!r}: speakers of {bad} are not names or indices"
            )
        return cls(dict(data))

    def merged(self, other: Cast) -> Cast:
        """This cast with ``other``'s entries added; a name in both must map the same way."""
        clashes = [n for n in other.roles if n in self.roles and self.roles[n] != other.roles[n]]
        if clashes:
            raise ConfigError(f"the cast file and --cast map {clashes} differently")
        return Cast({**self.roles, **other.roles})

    def resolve(self, names: list[str], speakers: list[str]) -> dict[str, int]:
        """Speaker index of every name; all unknown names are reported in one error."""
        resolved: dict[str, int] = {}
        unknown = []
        for name in names:
            target = self.roles.get(name, self.roles.get(WILDCARD))
            if target is None and name in speakers:
                target = name
            if target is None:
                unknown.append(name)
                continue
            try:
                resolved[name] = resolve_speaker(
                    int(target) if isinstance(target, str) and target.isdigit() else target,
                    speakers,
                )
            except ControlError as error:  # the cast itself names an unknown speaker
                raise ConfigError(f"cast maps {name!r} to {target!r}: {error}") from None
        if unknown:
            raise ConfigError(
                f"no speaker for voice name(s) {', '.join(map(repr, unknown))}: they are not in "
                f"the cast and not speakers of this voice (speakers: {', '.join(speakers)}). "
                f"Map them with --cast, e.g. --cast {unknown[0]}={speakers[0]}, or {WILDCARD}="
                f"{speakers[0]} for every unlisted name"
            )
        return resolved
