"""The document engine: compile a template once, render it many times. Knows no Flask, no store."""

from .package import CompiledTemplate, RenderFailed, TemplateInvalid
from .ziparchive import UnsafeZip, ZipLimits, open_checked

__all__ = ["CompiledTemplate", "RenderFailed", "TemplateInvalid", "UnsafeZip", "ZipLimits", "open_checked"]
