"""Links to the web open safely: rel="noopener" on every external link, so the build can list them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor


class ExternalLinkProcessor(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        for link in root.iter("a"):
            if link.get("href", "").lower().startswith(("http://", "https://")):
                link.set("rel", "noopener")


class ExternalLinksExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's API name)
        md.treeprocessors.register(ExternalLinkProcessor(md), "leadpack_external_links", 5)
