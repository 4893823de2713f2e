"""The sample world's own error: a one-line message about its input and what to do.

The sample world imports nothing from the product, so it cannot raise the product's errors; the
`rswk` command line prints this one like its own (one line, exit code 2).
"""

from __future__ import annotations


class SampleWorldError(Exception):
    """A world file, world size or server setting the sample world cannot use."""
