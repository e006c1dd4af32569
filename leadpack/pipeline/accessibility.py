"""Accessibility statement drafts, written beside each set's packages in HTML and Markdown.

Public bodies must publish an accessibility statement that follows the GOV.UK model statement (Public Sector Bodies
Accessibility Regulations 2018). The build knows facts a publisher would otherwise dig out by hand: what the packages
hold, the standard tested against, the checks that ran, the theme's contrast and the content leadpack knows falls
short (video without captions, unchecked downloads). Everything only the publisher can say (contact details, dates,
who tested) is left as a marked [placeholder]. No dates are filled in, so builds stay byte-reproducible.

The statement is written in the document model of ``document.py``, which renders both formats, so they never
disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from leadpack import formats
from leadpack.pipeline import model
from leadpack.pipeline.colours import MIN_CONTRAST, contrast
from leadpack.pipeline.document import (
    Block,
    Inline,
    Link,
    Name,
    _inline,
    bullets,
    heading,
    note,
    para,
    to_html,
    to_markdown,
)

STANDARD = "Web Content Accessibility Guidelines version 2.2 AA standard"
WCAG_URL = "https://www.w3.org/TR/WCAG22/"
REGULATIONS = "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018"
REGULATIONS_URL = "https://www.legislation.gov.uk/uksi/2018/952/contents/made"
EASS_URL = "https://www.equalityadvisoryservice.com/"
ECNI_URL = "https://www.equalityni.org/Home"
ABILITYNET_URL = "https://mcmw.abilitynet.org.uk/"
AXE_TAGS = "wcag2a, wcag2aa, wcag21a, wcag21aa and wcag22aa"


@dataclass(frozen=True)
class Facts:
    """What the build knows about one set, gathered once for the statement."""

    course_set: model.CourseSet
    series: model.Series
    packages: tuple[tuple[str, str], ...]  # (format, file name)
    videos: tuple[tuple[str, str], ...]  # (title, page title)
    downloads: tuple[tuple[str, str], ...]  # (title, file name)
    custom_templates: bool

    @property
    def name(self) -> Inline:
        """The set's title and version (a version holds only letters, digits, dots and hyphens)."""
        return Name(self.course_set.title), f" (version {self.course_set.version})"


def gather(series: model.Series, course_set: model.CourseSet, packages: list[tuple[str, str]],
           custom_templates: bool) -> Facts:
    videos, downloads = [], []
    for page in course_set.pages:
        for block in page.blocks:
            if isinstance(block, model.Media) and block.kind == "video":
                videos.append((block.title or PurePosixPath(block.src).name, page.title))
            elif isinstance(block, model.Download):
                downloads.append((block.title, PurePosixPath(block.src).name))
    return Facts(course_set, series, tuple(packages), tuple(videos), tuple(downloads), custom_templates)


def statement(facts: Facts) -> list[Block]:
    """The statement, section by section in the order of the GOV.UK model statement."""
    return [
        *_opening(facts), *_how_accessible(facts), *_feedback(facts), *_enforcement(), *_technical(facts),
        *_non_accessible(facts), *_improving(facts), *_preparation(facts),
    ]


def _opening(facts: Facts) -> list[Block]:
    course_set, series = facts.course_set, facts.series
    titles = [(formats.get(fmt).title, name) for fmt, name in facts.packages]
    packages = [f"{_article(title)} {title} package ({name})" for title, name in titles]
    return [
        heading(1, "Accessibility statement for ", Name(course_set.title)),
        note("leadpack drafted this statement when it built the course. Replace every [placeholder], check every "
             "claim against your own testing, delete these notes, and publish the statement where learners can find "
             "it from the course, for example linked from the course's page on your learning platform."),
        para("This accessibility statement applies to ", *facts.name, ", an e-learning course in the ",
             Name(series.title), f" series, published as {' and '.join(packages)} for learning platforms. It covers "
             "the course pages inside the package, not the learning platform that shows them, which has its own "
             "statement."),
        para("This course is run by ", Name(series.organisation), ". We want as many people as possible to be able "
             "to use it. For example, that means you should be able to:"),
        bullets("change colours, contrast levels and fonts using your browser or device settings",
                "zoom in up to 400% without the text spilling off the screen",
                "use the whole course, including the knowledge checks and reflections, using just a keyboard",
                "use the course with speech recognition software",
                "listen to the course using a screen reader",
                "read, print or download everything you write in \"My reflections and action plan\""),
        para("We've also made the course text as simple as possible to understand."),
        para(Link("AbilityNet has advice on making your device easier to use if you have a disability",
                  ABILITYNET_URL), "."),
    ]


def _article(word: str) -> str:
    """By sound: 'an xAPI package' (x said 'ex'), 'a SCORM 1.2 package'."""
    return "an" if word[0].lower() in "aeiox" else "a"


def _how_accessible(facts: Facts) -> list[Block]:
    blocks = [heading(2, "How accessible this course is")]
    problems = _known_problems(facts)
    if problems:
        blocks += [para("We know some parts of this course are not fully accessible:"), bullets(*problems)]
    else:
        blocks.append(para("The checks described below found no parts of this course that are not accessible."))
    return blocks


def _known_problems(facts: Facts) -> list[Inline]:
    return [("the video \"", Name(title), "\" (on the page \"", Name(page), "\") has no captions or audio "
             "description; a full transcript is given below it") for title, page in facts.videos]


def _feedback(facts: Facts) -> list[Block]:
    return [
        heading(2, "Feedback and contact information"),
        para("If you need information in this course in a different format like accessible PDF, large print, easy "
             "read, audio recording or braille:"),
        bullets("email [email address]", "call [phone number]"),
        para("We'll consider your request and get back to you in [number] days."),
        heading(3, "Reporting accessibility problems with this course"),
        para("We're always looking to improve the accessibility of this course. If you find any problems not listed "
             "on this page or think we're not meeting accessibility requirements, contact ",
             Name(facts.series.organisation), " at [email address or contact form]."),
    ]


def _enforcement() -> list[Block]:
    return [
        heading(2, "Enforcement procedure"),
        para("The Equality and Human Rights Commission (EHRC) is responsible for enforcing the ",
             Link(REGULATIONS, REGULATIONS_URL), " (the \u2018accessibility regulations\u2019). If you're not happy "
             "with how we respond to your complaint, ",
             Link("contact the Equality Advisory and Support Service (EASS)", EASS_URL), "."),
        para("If you live in Northern Ireland and are not happy with how we respond to your complaint, you can "
             "contact the ", Link("Equality Commission for Northern Ireland (ECNI)", ECNI_URL), "."),
    ]


def _technical(facts: Facts) -> list[Block]:
    organisation = facts.series.organisation
    partial = bool(_known_problems(facts)) or facts.custom_templates
    standard = Link(STANDARD, WCAG_URL)
    status = (para("This course is partially compliant with the ", standard, ", due to the non-compliances listed "
                   "below.") if partial else para("This course is fully compliant with the ", standard, "."))
    blocks = [
        heading(2, "Technical information about this course's accessibility"),
        para(Name(organisation), f" is committed to making this course accessible, in accordance with the "
             f"{REGULATIONS}."),
        heading(3, "Compliance status"),
        status,
    ]
    if not partial:
        blocks.append(note("The automated checks below found no failures. Automated checks cannot find every "
                           "problem: confirm with a manual audit (including a screen reader) before you publish "
                           "\u2018fully compliant\u2019, or change it to \u2018partially compliant\u2019."))
    return blocks


def _non_accessible(facts: Facts) -> list[Block]:
    blocks = [heading(2, "Non-accessible content")]
    items: list[Inline] = []
    for title, page in facts.videos:
        items.append(("The video \"", Name(title), "\" on the page \"", Name(page), "\" has no captions and no audio "
                      "description. This fails WCAG 2.2 success criteria 1.2.2 (captions, prerecorded) and 1.2.5 "
                      "(audio description, prerecorded). A full transcript is given below the video. [Say when you "
                      "will add captions.]"))
    if facts.custom_templates:
        items.append(_inline("This course was built with custom templates. The checks described below were made on "
                             "leadpack's own templates. [Test the custom templates, then describe any problems "
                             "here.]"))
    if items:
        blocks.append(para("The content listed below is non-accessible for the following reasons."))
    blocks.append(heading(3, "Non-compliance with the accessibility regulations"))
    blocks.append(bullets(*items) if items else para("We know of no content that fails the accessibility "
                                                    "regulations."))
    if facts.downloads:
        files: list[str | Name] = []
        for title, name in facts.downloads:
            files += [", \"" if files else "\"", Name(title), "\" (", Name(name), ")"]
        blocks.append(note("leadpack does not check files learners download: ", *files, ". Check each one and list "
                           "any problems above."))
    blocks += [
        heading(3, "Disproportionate burden"),
        para("We are not claiming that any accessibility problems would be a disproportionate burden to fix."),
        heading(3, "Content that's not within the scope of the accessibility regulations"),
        para("Links in the course to other websites lead to content we do not control; those websites are "
             "responsible for their own accessibility. The learning platform that shows this course is covered by "
             "its own accessibility statement."),
    ]
    return blocks


def _improving(facts: Facts) -> list[Block]:
    return [
        heading(2, "What we're doing to improve accessibility"),
        para("[Describe your plans, for example captions for every video, and when you will review this course "
             "again.]"),
    ]


def _preparation(facts: Facts) -> list[Block]:
    theme = facts.series.theme
    return [
        heading(2, "Preparation of this accessibility statement"),
        para("This statement was prepared on [date]. It was last reviewed on [date]."),
        para(f"This course was last tested on [date] against the {STANDARD}. leadpack, the tool that builds the "
             "course, drafted this statement when it built ", *facts.name, ". These checks ran:"),
        bullets(
            "On every build, on this course's content: every picture has a text alternative (or is marked as "
            "decorative), every diagram has a full description, every video and audio clip has a transcript, every "
            "page has a heading, and the course's language is set "
            f"({facts.course_set.language}).",
            f"On every build, on the colours: white text on the primary colour {theme.primary} has a contrast ratio "
            f"of {contrast(theme.primary, '#ffffff'):.1f}:1 and links in the accent colour {theme.accent} on white "
            f"have {contrast(theme.accent, '#ffffff'):.1f}:1 (at least {MIN_CONTRAST}:1 is needed).",
            "On the templates and learner runtime that present the course, in leadpack's automated tests: axe-core "
            f"in the Chromium browser (rules tagged {AXE_TAGS}) on every page of every package in both formats, "
            "including an answered knowledge check with its feedback, the reflections page, the prompt to resume "
            "and the notice shown when progress cannot be saved; a keyboard-only run through a whole module; no "
            "sideways scrolling at 320 CSS pixels wide (400% zoom); focus moved to each new page's heading and the "
            "change announced.",
        ),
        para("[Name who carried out any manual testing, how (for example with JAWS, NVDA, VoiceOver and speech "
             "recognition), and how you chose the pages you tested.]"),
    ]


# ---- files beside the packages ----

def file_names(course_set: model.CourseSet) -> tuple[str, str]:
    stem = f"{course_set.id}-{course_set.version}-accessibility"
    return f"{stem}.html", f"{stem}.md"


def statement_files(series: model.Series, packages: list, custom_templates: bool) -> list[tuple[Path, bytes]]:
    """The statement files for every set built, each beside that set's packages; the packages learn their paths.

    ``packages`` are ``build.Package`` objects; each gets ``statement = {"html": path, "markdown": path}``.
    """
    files: list[tuple[Path, bytes]] = []
    for course_set in series.sets:
        mine = [p for p in packages if p.set_id == course_set.id]
        if not mine:
            continue
        facts = gather(series, course_set, [(p.format, p.path.name) for p in mine], custom_templates)
        blocks = statement(facts)
        html_name, md_name = file_names(course_set)
        folder = mine[0].path.parent
        html_path, md_path = folder / html_name, folder / md_name
        title = f"Accessibility statement for {' '.join(course_set.title.split())}"
        files += [(html_path, to_html(blocks, title).encode("utf-8")), (md_path, to_markdown(blocks).encode("utf-8"))]
        for package in mine:
            package.statement = {"html": str(html_path), "markdown": str(md_path)}
    return files
