"""`python -m emotts`: the same as the `emotts` console script (and `python -m emotts.cli`)."""

import sys

from emotts.cli import main

sys.exit(main())
