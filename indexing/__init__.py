"""RSWK indexing: encoders, knowledge chunks, the `index` stage, USearch files and retrieval.

`from indexing import Retriever` opens a built index folder for search; the heavy modules (torch,
open_clip, usearch) load only when it is used, so importing this package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from indexing.retriever import LandmarkHit, Retriever

__all__ = ["LandmarkHit", "Retriever"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from indexing import retriever

        return getattr(retriever, name)
    raise AttributeError(f"module 'indexing' has no attribute {name!r}")
