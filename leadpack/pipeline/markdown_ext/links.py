"""Links out of the course open in a new tab, so the course's page (and with it the LMS's session) stays open.

A link to a web page or to a file of the package, followed in the course's own window, would unload the course:
the learning platform takes that as the end of the session (SCORM's LMSFinish on pagehide), and coming back
starts another. So such links open in a new tab, with rel="noopener" (by which the build also lists web links),
and carry an empty ``lp-new-window`` span that the runtime fills with "(opens in a new tab)" in the learner's
language, so that a screen reader says it before the tab opens (WCAG technique G201). Links to the course's own
pages (#...) stay in the page.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from leadpack.pipeline.markdown_ext.html_safety import NEW_WINDOW_CLASS, leaves_the_course


class ExternalLinkProcessor(Treeprocessor):
    def run(self, root: ET.Element) -> None:
        for link in root.iter("a"):
            if not leaves_the_course(link.get("href", "")) or link.get("download") is not None:
                continue
            link.set("target", "_blank")
            link.set("rel", "noopener")
            ET.SubElement(link, "span", {"class": NEW_WINDOW_CLASS})


class ExternalLinksExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's API name)
        md.treeprocessors.register(ExternalLinkProcessor(md), "leadpack_external_links", 5)
