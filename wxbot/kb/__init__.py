"""The knowledge base: the shop's price lists, policies and guides as encrypted passages the bot can quote."""

from wxbot.kb.base import DocumentInfo, ImportReport, ImportStatus, KnowledgeBase, SemanticState
from wxbot.kb.pieces import SUFFIXES

__all__ = ["SUFFIXES", "DocumentInfo", "ImportReport", "ImportStatus", "KnowledgeBase", "SemanticState"]
