"""The document engine: compile a template once, render it many times. Knows no Flask, no store."""
from .formatting import Money
from .package import CompiledTemplate, RenderFailed, TemplateInvalid
from .ziparchive import UnsafeZip, ZipLimits, open_checked

__all__ = ["CompiledTemplate", "Money", "RenderFailed", "TemplateInvalid", "UnsafeZip", "ZipLimits", "open_checked"]
