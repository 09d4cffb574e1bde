"""Launch the emotts Gradio demo from a source checkout.

    python demo/app.py --host 127.0.0.1 --port 7860 --voice path/to/voice

The same as `emotts demo`; the UI itself lives in the `emotts.demo` package.
"""

from __future__ import annotations

import sys

from emotts.cli import main

if __name__ == "__main__":
    sys.exit(main(["demo", *sys.argv[1:]]))
