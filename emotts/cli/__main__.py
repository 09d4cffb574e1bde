"""`python -m emotts.cli`: the same as the `emotts` console script."""

import sys

from emotts.cli import main

sys.exit(main())
