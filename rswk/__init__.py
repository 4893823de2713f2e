"""RSWK: builds the Remote Sensing World Knowledge dataset."""

__version__ = "0.1.0"
