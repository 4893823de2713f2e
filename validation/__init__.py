"""RSWK stage package: validation."""
