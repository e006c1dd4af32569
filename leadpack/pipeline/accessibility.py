"""Accessibility statement drafts, written beside each set's packages in HTML and Markdown.

Public bodies must publish an accessibility statement that follows the GOV.UK model statement (Public Sector Bodies
Accessibility Regulations 2018). The build knows facts a publisher would otherwise dig out by hand: what the packages
hold, the standard tested against, the checks that ran, the theme's contrast and the content leadpack knows falls
short (video without captions, unchecked downloads). Everything only the publisher can say (contact details, dates,
who tested) comes from [accessibility] in leadpack.toml or the edition's file, or is left as a marked
[placeholder]. Dates come only from there, never from the clock, so builds stay byte-reproducible.

The statement is written in the document model of ``document.py``, which renders both formats, so they never
disagree; its sentences come from a phrasebook per language (``locales/statement/``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from leadpack import formats
from leadpack.pipeline import model
from leadpack.pipeline.colours import MIN_CONTRAST, contrast
from leadpack.pipeline.document import Block, Inline, Link, Name, bullets, heading, note, para, to_html, to_markdown
from leadpack.pipeline.render import in_language, strings_for

WCAG_URL = "https://www.w3.org/TR/WCAG22/"
REGULATIONS_URL = "https://www.legislation.gov.uk/uksi/2018/952/contents/made"
EASS_URL = "https://www.equalityadvisoryservice.com/"
ECNI_URL = "https://www.equalityni.org/Home"
ABILITYNET_URL = "https://mcmw.abilitynet.org.uk/"
AXE_TAGS = "wcag2a, wcag2aa, wcag21a, wcag21aa and wcag22aa"
PHRASES_DIR = Path(__file__).resolve().parent.parent / "locales" / "statement"
PLACE = re.compile(r"(\{\w+\})")


class Phrases:
    """The statement's sentences in one language, each with its {placeholders} filled by names, links and text."""

    def __init__(self, language: str):
        self.language, self.book = language, in_language(PHRASES_DIR, language)

    def __call__(self, key: str, **parts: str | Link | Name | Inline) -> Inline:
        found: list[str | Link | Name] = []
        for piece in PLACE.split(self.book[key]):
            value = parts.get(piece[1:-1], piece) if PLACE.fullmatch(piece) else piece
            found += list(value) if isinstance(value, tuple) else [value] if value else []
        return tuple(found)

    def text(self, key: str, **parts: str) -> str:
        return "".join(part if isinstance(part, str) else part.text for part in self(key, **parts))


@dataclass(frozen=True)
class Facts:
    """What the build knows about one set in one of its languages, gathered once for the statement."""

    course_set: model.CourseSet  # the set in the statement's language
    series: model.Series
    packages: tuple[tuple[str, str], ...]  # (format, file name)
    videos: tuple[tuple[str, str], ...]  # (title, page title)
    downloads: tuple[tuple[str, str], ...]  # (title, file name)
    custom_templates: bool
    languages: tuple[str, ...] = ()  # every language of the course

    @property
    def say(self) -> Phrases:
        return Phrases(self.course_set.language)


def gather(series: model.Series, course_set: model.CourseSet, packages: list[tuple[str, str]],
           custom_templates: bool, languages: tuple[str, ...] = ()) -> Facts:
    videos, downloads = [], []
    for page in course_set.pages:
        for block in page.blocks:
            if isinstance(block, model.Media) and block.kind == "video":
                videos.append((block.title or PurePosixPath(block.src).name, page.title))
            elif isinstance(block, model.Download):
                downloads.append((block.title, PurePosixPath(block.src).name))
    return Facts(course_set, series, tuple(packages), tuple(videos), tuple(downloads), custom_templates,
                 languages or (course_set.language,))


def statement(facts: Facts) -> list[Block]:
    """The statement, section by section in the order of the GOV.UK model statement."""
    return [
        *_opening(facts), *_how_accessible(facts), *_feedback(facts), *_enforcement(facts), *_technical(facts),
        *_non_accessible(facts), *_improving(facts), *_preparation(facts),
    ]


def _opening(facts: Facts) -> list[Block]:
    course_set, series, say = facts.course_set, facts.series, facts.say
    packages: list[str | Link | Name] = []
    for fmt, name in facts.packages:
        title = formats.get(fmt).title
        packages += ([say.book["packages_joiner"]] if packages else []) + list(
            say("package", article=_article(title), format=title, file=name))
    reflections = strings_for(course_set.language)["reflections_title"]
    return [
        heading(1, *say("title", course=Name(course_set.title))),
        note(*say("intro_note")),
        para(*say("applies", course=Name(course_set.title), version=course_set.version, series=Name(series.title),
                 packages=tuple(packages))),
        para(*say("run_by", organisation=Name(series.organisation))),
        bullets(*(say(key, reflections_page=reflections) for key in (
            "able_colours", "able_zoom", "able_keyboard", "able_speech", "able_screen_reader", "able_reflections"))),
        para(*say("simple")),
        para(*say("abilitynet", link=Link(say.book["abilitynet_link"], ABILITYNET_URL))),
    ]


def _article(word: str) -> str:
    """By sound: 'an xAPI package' (x said 'ex'), 'a SCORM 1.2 package'."""
    return "an" if word[0].lower() in "aeiox" else "a"


def _how_accessible(facts: Facts) -> list[Block]:
    say = facts.say
    blocks = [heading(2, *say("how_heading"))]
    problems = _known_problems(facts)
    if problems:
        blocks += [para(*say("known_some")), bullets(*problems)]
    else:
        blocks.append(para(*say("known_none")))
    return blocks


def _known_problems(facts: Facts) -> list[Inline]:
    return [facts.say("known_video", video=Name(title), page=Name(page)) for title, page in facts.videos]


def _feedback(facts: Facts) -> list[Block]:
    say = facts.say
    return [
        heading(2, *say("feedback_heading")),
        para(*say("other_format")),
        bullets(say("email", email=_email(facts) or say.book["email_unknown"]),
                say("call", phone=facts.series.accessibility.phone or say.book["phone_unknown"])),
        para(*say("reply")),
        heading(3, *say("reporting_heading")),
        para(*say("reporting", organisation=Name(facts.series.organisation),
                  contact=_email(facts) or say.book["contact_unknown"])),
    ]


def _enforcement(facts: Facts) -> list[Block]:
    say = facts.say
    return [
        heading(2, *say("enforcement_heading")),
        para(*say("enforcement", regulations=Link(say.book["regulations"], REGULATIONS_URL),
                 eass=Link(say.book["eass_link"], EASS_URL))),
        para(*say("northern_ireland", ecni=Link(say.book["ecni_link"], ECNI_URL))),
    ]


def _technical(facts: Facts) -> list[Block]:
    say = facts.say
    partial = bool(_known_problems(facts)) or facts.custom_templates
    standard = Link(say.book["standard"], WCAG_URL)
    blocks = [
        heading(2, *say("technical_heading")),
        para(*say("committed", organisation=Name(facts.series.organisation), regulations=say.book["regulations"])),
        heading(3, *say("compliance_heading")),
        para(*say("partial" if partial else "full", standard=standard)),
    ]
    if not partial:
        blocks.append(note(*say("full_note")))
    return blocks


def _non_accessible(facts: Facts) -> list[Block]:
    say = facts.say
    blocks = [heading(2, *say("non_accessible_heading"))]
    items = [say("video_item", video=Name(title), page=Name(page)) for title, page in facts.videos]
    if facts.custom_templates:
        items.append(say("custom_templates"))
    if items:
        blocks.append(para(*say("listed_reasons")))
    blocks.append(heading(3, *say("non_compliance_heading")))
    blocks.append(bullets(*items) if items else para(*say("none_known")))
    if facts.downloads:
        files: list[str | Link | Name] = []
        for title, name in facts.downloads:
            files += ([say.book["downloads_joiner"]] if files else []) + list(
                say("download", title=Name(title), file=Name(name)))
        blocks.append(note(*say("downloads", files=tuple(files))))
    blocks += [
        heading(3, *say("burden_heading")),
        para(*say("burden")),
        heading(3, *say("scope_heading")),
        para(*say("scope")),
    ]
    return blocks


def _improving(facts: Facts) -> list[Block]:
    say = facts.say
    return [heading(2, *say("improving_heading")), para(*say("improving"))]


def _email(facts: Facts) -> Link | None:
    """The publisher's accessibility contact from [accessibility] (an edition's own), as a link."""
    email = facts.series.accessibility.email
    return Link(email, f"mailto:{email}") if email else None


def _date(facts: Facts, which: str) -> str:
    """A date from [accessibility], written as the statement's language writes dates, or its [placeholder]."""
    value = getattr(facts.series.accessibility, which)
    if not value:
        return facts.say.book["date_unknown"]
    year, month, day = (int(part) for part in value.split("-"))
    strings = strings_for(facts.course_set.language)
    return strings["date"].format(day=day, month=strings["months"].split(",")[month - 1], year=year)


def _preparation(facts: Facts) -> list[Block]:
    theme, say, course_set = facts.series.theme, facts.say, facts.course_set
    return [
        heading(2, *say("preparation_heading")),
        para(*say("prepared", prepared=_date(facts, "prepared"), reviewed=_date(facts, "reviewed"))),
        para(*say("tested", tested=_date(facts, "tested"), standard=say.book["standard"], course=Name(course_set.title),
                  version=course_set.version)),
        bullets(
            say("check_content", language=", ".join(facts.languages)),
            say("check_colours", primary=theme.primary, primary_ratio=f"{contrast(theme.primary, '#ffffff'):.1f}",
                accent=theme.accent, accent_ratio=f"{contrast(theme.accent, '#ffffff'):.1f}",
                minimum=f"{MIN_CONTRAST}"),
            say("check_tests", tags=AXE_TAGS),
        ),
        para(*say("manual")),
    ]


# ---- files beside the packages ----

def file_names(course_set: model.CourseSet, language: str = "") -> tuple[str, str]:
    """The statement's files; one in a translation's language has the language in its name."""
    stem = f"{course_set.id}-{course_set.version}{'-' + language if language else ''}-accessibility"
    return f"{stem}.html", f"{stem}.md"


def statement_files(series: model.Series, packages: list, custom_templates: bool) -> list[tuple[Path, bytes]]:
    """The statement files for every set built, in each of its languages, beside that set's packages; the packages
    learn their paths (those of the statement in the set's own language).

    ``packages`` are ``build.Package`` objects; each gets ``statement = {"html": path, "markdown": path}``.
    """
    files: list[tuple[Path, bytes]] = []
    for course_set in series.sets:
        mine = [p for p in packages if p.set_id == course_set.id]
        if not mine:
            continue
        languages = tuple(localised.language for localised in course_set.language_versions)
        folder = mine[0].path.parent
        for localised in course_set.language_versions:
            facts = gather(series.in_language(localised.language), localised, [(p.format, p.path.name) for p in mine],
                           custom_templates, languages)
            blocks = statement(facts)
            html_name, md_name = file_names(course_set, "" if localised is course_set else localised.language)
            html_path, md_path = folder / html_name, folder / md_name
            title = facts.say.text("title", course=" ".join(localised.title.split()))
            draft = facts.say.book["draft_note"]
            files += [(html_path, to_html(blocks, title, localised.language, draft).encode("utf-8")),
                      (md_path, to_markdown(blocks, draft).encode("utf-8"))]
            if localised is course_set:
                for package in mine:
                    package.statement = {"html": str(html_path), "markdown": str(md_path)}
    return files
