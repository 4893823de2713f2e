"""The imagery stage: one georeferenced image per located landmark, from a registered provider."""
