"""The sample world: one local HTTP server speaking the live services' protocols.

Every crawler runs its real code against it in tests, benchmarks and the default `sample` profile.
"""
