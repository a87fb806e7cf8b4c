"""The document engine: compile a template once, render it many times. Knows no Flask, no store."""

from .environment import Budget
from .package import CompiledTemplate, RenderFailed, RenderLimit, TemplateInvalid
from .ziparchive import UnsafeZip, ZipLimits, open_checked

__all__ = [
    "Budget",
    "CompiledTemplate",
    "RenderFailed",
    "RenderLimit",
    "TemplateInvalid",
    "UnsafeZip",
    "ZipLimits",
    "open_checked",
]
