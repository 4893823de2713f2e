"""RSWK stage package: indexing."""
