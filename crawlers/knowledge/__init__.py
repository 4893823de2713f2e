"""The knowledge stage: RSWK world-knowledge fields from Wikipedia articles and Wikidata claims."""

from crawlers.knowledge.stage import KnowledgeStage, run_knowledge

__all__ = ["KnowledgeStage", "run_knowledge"]
