"""Every limit on what leadpack reads, in one place (docs/authoring.md §14 lists them for authors).

Each limit keeps a command's work in proportion to its input: the parsers leadpack uses (Python-Markdown, the
standard library's HTML parser, tomllib) slow down more than in proportion, or run out of stack, on some shapes
of text, so text beyond a limit is refused with a message naming the file and line before any parser sees it.
The real course uses a small fraction of each: its largest module is 16 KB, its longest line under 1,000
characters, its deepest list three levels.
"""

from __future__ import annotations

MAX_SOURCE_BYTES = 1_000_000  # leadpack.toml, set.toml, a module file or a template
MAX_LINE_CHARS = 10_000  # one line of a module file
# One paragraph (lines with no blank line between them), list item or table row: Markdown's inline parser does
# work in proportion to a paragraph's length for each piece of markup in it, the square of its length in all.
MAX_PARAGRAPH_CHARS = 20_000
MAX_NESTING = 20  # lists and quotations inside each other, on one line of a module file
MAX_PAGES = 200  # pages in one module
MAX_TOML_DEPTH = 20  # lists and inline tables inside each other in a TOML file
MAX_ID_CHARS = 100  # a set, module, page, question or reflection id: joined ids stay under SCORM's 255
MAX_ENTRY_BYTES = 255  # a file name inside a package, in UTF-8: what file systems and LMSs unpack
MAX_PROBLEMS_PER_FILE = 100  # beyond this a file is not searched for more mistakes
# The scanning Markdown does on one page: the characters its link parser reads from each '[' (to the matching
# ']') and from each '](' (to the matching ')'), and the HTML parser from each '<' that starts a tag (to the
# next '>'). Closed brackets and tags are read about once, so reading a page SCAN_READINGS times is always
# allowed; text that would make the parsers read the rest of the page again and again (many unclosed brackets
# or tags) needs far more, and at most MAX_SCAN_STEPS characters of such re-reading are.
SCAN_READINGS = 2
MAX_SCAN_STEPS = 2_000_000
MAX_LOCATE_STEPS = 2_000_000  # source lines searched to put a line number on the mistakes found in one file
MAX_SCANNED_MEDIA_BYTES = 20_000_000  # an SVG, XML or HTML file in media/, read whole to look for scripts
MAX_XLIFF_BYTES = 20_000_000  # an XLIFF file translate import reads (a whole set with its notes, in two languages)
