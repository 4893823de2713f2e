"""The ground floor every stage shares: records, config, run store, executor, HTTP layer.

Nothing here imports a stage package (crawlers, curation, validation, indexing) or the face.
"""
