"""Glue between the sample world and the product, for tests and benchmarks only.

The sample world imports nothing from the product; what needs both (records built straight from
a world's facts) lives here.
"""
