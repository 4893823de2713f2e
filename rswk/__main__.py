"""`python -m rswk` runs the CLI."""

import sys

from rswk.cli import main

sys.exit(main())
