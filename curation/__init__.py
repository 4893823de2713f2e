"""RSWK stage package: curation."""
