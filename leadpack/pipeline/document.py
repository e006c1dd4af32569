"""A small document model for the files a build writes beside its packages (accessibility statements, LMS hand-off
sheets): blocks of text with links, rendered to both HTML and Markdown, so the two never disagree.

Author text (a title, a question, an organisation) goes in a ``Name``, escaped so that no spelling of it becomes
Markdown or HTML; our own sentences are plain strings; identifiers and values to type or copy go in ``Code``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Name:
    """Text an author wrote (a title, the organisation): never Markdown syntax, however it is spelt."""

    text: str


@dataclass(frozen=True)
class Code:
    """An identifier or a value to copy exactly (an interaction id, a checksum, a setting's value)."""

    text: str


Inline = tuple[str | Link | Name | Code, ...]


@dataclass(frozen=True)
class Block:
    """A heading (h1-h3), a paragraph (p), a list (ul), a draft note (note) or a table (table: the first part
    is the header row, each part a row of cells)."""

    kind: str
    parts: tuple[Inline, ...] | tuple[tuple[Inline, ...], ...]


def _inline(*parts: str | Link | Name | Code) -> Inline:
    return tuple(parts)


def joined(items: list[Inline]) -> Inline:
    """Items in a sentence: "a", "a and b" or "a, b and c"."""
    parts: list[str | Link | Name | Code] = []
    for number, item in enumerate(items):
        if number:
            parts.append(" and " if number == len(items) - 1 else ", ")
        parts.extend(item)
    return tuple(parts)


def heading(level: int, *parts: str | Name | Code) -> Block:
    return Block(f"h{level}", (_inline(*parts),))


def para(*parts: str | Link | Name | Code) -> Block:
    return Block("p", (_inline(*parts),))


def note(*parts: str | Link | Name | Code) -> Block:
    return Block("note", (_inline(*parts),))


def bullets(*items: Inline | str) -> Block:
    return Block("ul", tuple(item if isinstance(item, tuple) else _inline(item) for item in items))


def table(header: tuple[str, ...], *rows: tuple[Inline | str, ...]) -> Block:
    cells = [tuple(cell if isinstance(cell, tuple) else _inline(cell) for cell in row) for row in (header, *rows)]
    return Block("table", tuple(cells))


# ---- Markdown ----

def to_markdown(blocks: list[Block], draft: str = "Draft note:") -> str:
    """``draft``: what a draft note starts with, in the document's language."""
    lines: list[str] = []
    for block in blocks:
        if block.kind.startswith("h"):
            lines += ["#" * int(block.kind[1]) + " " + _md_inline(block.parts[0]), ""]
        elif block.kind == "ul":
            lines += [f"- {_md_inline(item)}" for item in block.parts] + [""]
        elif block.kind == "note":
            lines += [f"> **{_md_escape(draft)}** {_md_inline(block.parts[0])}", ""]
        elif block.kind == "table":
            header, *rows = block.parts
            lines += [_md_row(header), "| " + " | ".join("---" for _ in header) + " |"]
            lines += [_md_row(row) for row in rows] + [""]
        else:
            lines += [_md_inline(block.parts[0]), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_row(cells: tuple[Inline, ...]) -> str:
    return "| " + " | ".join(UNESCAPED_PIPE.sub(r"\\|", _md_inline(cell)) for cell in cells) + " |"


UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")  # author text has its pipes escaped already


def _md_inline(parts: Inline) -> str:
    return "".join(f"[{_md_escape(p.text)}]({p.url})" if isinstance(p, Link)
                   else _md_name(p.text) if isinstance(p, Name)
                   else _md_code(p.text) if isinstance(p, Code) else _md_escape(p) for p in parts)


MD_ESCAPES = str.maketrans({char: "\\" + char for char in "\\*_`<>"})


def _md_escape(text: str) -> str:
    """Our own sentences: emphasis and HTML characters escaped; our [placeholders] stay readable as they are."""
    return text.translate(MD_ESCAPES)


# Brackets are escaped, so a '(' cannot follow a link's ']': parentheses stay as written.
MARKDOWN_SYNTAX = re.compile(r"[\\`*_{}\[\]<>#!|~@]|&(?=[#A-Za-z0-9])|:(?=/)|(?<=www)\.|^[-+=]")


def _md_name(text: str) -> str:
    """Author text, escaped so that no spelling of a title becomes Markdown: no link, picture, heading, table,
    list, HTML, entity or bare web address (www. and https:// become links in GitHub's Markdown); line breaks
    fold to spaces, so a title cannot start a line of its own."""
    text = MARKDOWN_SYNTAX.sub(lambda found: "\\" + found.group(), " ".join(text.split()))
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", text)  # an ordered list marker: 1. and 2024)


def _md_code(text: str) -> str:
    """A code span whose fence is longer than any run of backticks inside it, so nothing can close it early."""
    text = " ".join(text.split())
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{fence}{padded}{fence}"


# ---- HTML ----

def to_html(blocks: list[Block], title: str, lang: str = "en-GB", draft: str = "Draft note:") -> str:
    body = []
    for block in blocks:
        if block.kind.startswith("h"):
            body.append(f"<{block.kind}>{_html_inline(block.parts[0])}</{block.kind}>")
        elif block.kind == "ul":
            items = "".join(f"<li>{_html_inline(item)}</li>" for item in block.parts)
            body.append(f"<ul>{items}</ul>")
        elif block.kind == "note":
            body.append(f'<p class="note"><strong>{html.escape(draft)}</strong> {_html_inline(block.parts[0])}</p>')
        elif block.kind == "table":
            header, *rows = block.parts
            head = "".join(f'<th scope="col">{_html_inline(cell)}</th>' for cell in header)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>" + "".join(
                "<tr>" + "".join(f"<td>{_html_inline(cell)}</td>" for cell in row) + "</tr>" for row in rows)
                + "</tbody></table>")
        else:
            body.append(f"<p>{_html_inline(block.parts[0])}</p>")
    return HTML_PAGE.format(lang=html.escape(lang), title=html.escape(title), body="\n".join(body))


def _html_inline(parts: Inline) -> str:
    return "".join(f'<a href="{html.escape(p.url)}">{html.escape(p.text)}</a>' if isinstance(p, Link)
                   else f"<code>{html.escape(p.text)}</code>" if isinstance(p, Code)
                   else html.escape(p.text if isinstance(p, Name) else p) for p in parts)


HTML_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; font-size: 1.125rem;
  line-height: 1.6; color: #1b1b1b; background: #fff; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }}
a {{ color: #1d4f73; }}
a:focus-visible {{ outline: 3px solid #1b1b1b; outline-offset: 2px; }}
.note {{ border-left: 6px solid #b00020; padding: 0.5rem 1rem; background: #fff; }}
code {{ font-size: 0.95em; overflow-wrap: anywhere; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #6b6b6b; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }}
</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""
