"""The ``rate`` value of ``<prosody rate="0.8">`` markup and the speed range it shares.

A rate is a speed factor with the same meaning as the global ``speed`` control (1 natural,
higher is faster); it lives here, below both the markup parser and ``emotts.synthesis``, so the
two accept exactly the same range. A phoneme's duration scale is ``1 / rate``.
"""

from __future__ import annotations

from emotts.emotion.syntax import check_range, parse_number, strip_token

#: Accepted speed factors, for the global ``speed`` control and for ``<prosody rate>`` alike.
SPEED_RANGE = (0.25, 4.0)

#: What a rate is, for error messages.
RATE_MEANING = (
    f"a speed factor in [{SPEED_RANGE[0]:g}, {SPEED_RANGE[1]:g}] "
    "(1 natural, higher is faster, 0.5 takes twice as long)"
)
RATE_HELP = f'Accepted: {RATE_MEANING}, e.g. rate="0.8"'


def parse_rate(text: str, base: int) -> float:
    """A speed factor in :data:`SPEED_RANGE`; ``base`` is the offset of ``text`` in the input.

    Raises ``EmotionSpecError`` naming the position (the markup parser rewraps it).
    """
    token, position = strip_token(text, base)
    value = parse_number(token, position, "rate", RATE_HELP)
    return check_range(value, SPEED_RANGE, "rate", RATE_HELP, position)


def prosody_tag(rate: float) -> str:
    """The opening tag that the markup parser reads back as ``rate``."""
    return f'<prosody rate="{rate!r}">'
