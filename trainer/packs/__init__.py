"""Question packs: their format, how they are loaded, rendered and found."""

from trainer.packs.model import Pack, PackError, Question
from trainer.packs.registry import PackRegistry

__all__ = ["Pack", "PackError", "PackRegistry", "Question"]
