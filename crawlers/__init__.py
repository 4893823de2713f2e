"""RSWK stage package: crawlers."""
