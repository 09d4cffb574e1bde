"""The status line under each button: a success summary or the user's error, as safe HTML."""

from __future__ import annotations

import html

# Inline styles rather than the page's CSS so the message reads the same in any theme.
_STYLES = {
    "ok": "background:#e8f5e9;border:1px solid #66bb6a;color:#1b5e20",
    "error": "background:#fdecea;border:1px solid #e57373;color:#8b1a1a",
    "idle": "background:transparent;border:1px dashed #bbb;color:#555",
}


def status_html(kind: str, message: str) -> str:
    """``message`` is escaped: user text in it (markup such as ``<emotion>``) shows literally."""
    prefix = {"ok": "✔ ", "error": "⚠ ", "idle": ""}[kind]
    return (
        f'<div class="emotts-status emotts-{kind}" style="{_STYLES[kind]};padding:8px 12px;'
        f'border-radius:6px;font-size:14px">{prefix}{html.escape(message)}</div>'
    )
