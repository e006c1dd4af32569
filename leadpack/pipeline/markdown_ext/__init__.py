"""Python-Markdown extensions for leadpack's course blocks."""

from leadpack.pipeline.markdown_ext.blocks import BLOCK_KINDS, CourseBlocksExtension, make_markdown

__all__ = ["BLOCK_KINDS", "CourseBlocksExtension", "make_markdown"]
