"""Issue 13 (content): checks that test understanding, a picture for every module, worksheets that print.

Each check is a small function over the real course, and each is shown failing on a deliberately bad input, so
a green run means the content passed the check, not that the check could not fail.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from leadpack.pipeline import model
from leadpack.pipeline.load import load_series
from tests.conftest import REPO
from tests.test_content import ALLOWED_PHRASES, shingles, words

CONTENT = REPO / "content"
TELL_SHARE = 1 / 3  # at most this share of single-answer questions may have the correct option uniquely longest
GUIDING_QUESTIONS = {
    "leading-for-resilience": "How do we sustain ourselves and others?",
    "leading-for-dialogue": "How do we make meaning together?",
    "leading-for-inclusion": "How do we genuinely distribute power and influence?",
    "leading-for-innovation": "How do we develop new ideas and make change happen?",
}
STAGES = ("personal foundation", "building a practice", "collective enactment")
SVG_MAX_WIDTH = 420
SVG_MIN_FONT = 15
PHONE_IMAGE_WIDTH = 300  # px a diagram gets on a 320 px screen, less the page margins
PHONE_MIN_TEXT_PX = 12
SVG_FONT_FAMILY = "system-ui, sans-serif"
UNTRUE_CLAIMS = re.compile(r"you(?: have|'ve) (?:now )?(?:completed|finished) (?:leading for|this set|the set)"
                           r"|you have now carried|in the (?:last|previous) module you", re.I)
Extreme = Callable[[list[int]], int]  # max or min


@pytest.fixture(scope="module")
def series() -> model.Series:
    return load_series(REPO)


def leading_for_sets(series: model.Series) -> list[model.CourseSet]:
    return [s for s in series.sets if s.id in GUIDING_QUESTIONS]


# --- knowledge checks ------------------------------------------------------------------------------------------

def length(option: model.Option) -> int:
    return len(option.text.strip())


def singles(questions: tuple[model.Question, ...]) -> list[model.Question]:
    return [q for q in questions if not q.multiple]


def correct_is_uniquely(question: model.Question, pick: Extreme) -> bool:
    """Whether the one correct option is the only longest (pick=max) or only shortest (pick=min) option."""
    lengths = [length(o) for o in question.options]
    extreme = pick(lengths)
    right = next(o for o in question.options if o.correct)
    return length(right) == extreme and lengths.count(extreme) == 1


def share_uniquely(questions: tuple[model.Question, ...], pick: Extreme) -> float:
    single = singles(questions)
    return sum(correct_is_uniquely(q, pick) for q in single) / len(single)


def longest_picker_gets_right(question: model.Question) -> bool:
    """A learner who always picks the longest option, with every tie broken in the learner's favour.

    For "choose all that apply" the learner is even told how many to pick: the k longest, k = correct options.
    """
    ranked = sorted(question.options, key=lambda o: (-length(o), not o.correct))
    return all(o.correct for o in ranked[:len(question.correct_keys)])


def longest_picker_score(questions: tuple[model.Question, ...]) -> int:
    """The score the runtime would record: percent of the set's questions right, rounded."""
    return round(100 * sum(longest_picker_gets_right(q) for q in questions) / len(questions))


def option(key: str, text: str, correct: bool = False) -> model.Option:
    return model.Option(key, text, text, correct, "Feedback that teaches.")


def question(*options: model.Option) -> model.Question:
    multiple = sum(o.correct for o in options) > 1
    return model.Question("q", "Stem?", "Stem?", options, multiple, 1)


def test_the_correct_option_is_the_longest_in_at_most_a_third_of_single_answer_questions(series):
    shares = {s.id: round(share_uniquely(s.questions, max), 2) for s in series.sets}
    assert all(share <= TELL_SHARE for share in shares.values()), shares


def test_nor_is_it_usually_the_shortest(series):
    """Guards against over-correcting: always-shortest correct options would be a tell of their own."""
    shares = {s.id: round(share_uniquely(s.questions, min), 2) for s in series.sets}
    assert all(share <= TELL_SHARE for share in shares.values()), shares


def test_a_learner_who_always_picks_the_longest_option_passes_no_set(series):
    scores = {s.id: (longest_picker_score(s.questions), s.completion.pass_mark) for s in series.sets}
    assert all(score < pass_mark for score, pass_mark in scores.values()), scores


def test_the_length_checks_catch_a_length_tell():
    tell = question(option("a", "Short"), option("b", "The long, careful and correct answer", True),
                    option("c", "Also short"))
    fair = question(option("a", "A wrong answer of some length"), option("b", "The right one", True),
                    option("c", "Another wrong answer"))
    tied = question(option("a", "Same length!"), option("b", "Same length.", True))
    chosen_all = question(option("a", "Right, and a long one", True), option("b", "Right and longish", True),
                          option("c", "Wrong"))
    assert share_uniquely((tell, tell, fair), max) == pytest.approx(2 / 3)
    assert share_uniquely((fair,), min) == 1
    assert longest_picker_gets_right(tied) and longest_picker_gets_right(chosen_all)
    assert longest_picker_score((tell, tell, fair)) == 67


# --- diagrams ----------------------------------------------------------------------------------------------------

def local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def font_size(element: ET.Element, inherited: float) -> float:
    size = element.get("font-size")
    style = re.search(r"font-size:\s*([\d.]+)", element.get("style", ""))
    value = style.group(1) if style else size
    return float(value) if value else inherited


def text_sizes(element: ET.Element, inherited: float = 16.0) -> list[float]:
    """The font size every <text> and <tspan> is drawn at, following inheritance from groups."""
    size = font_size(element, inherited)
    own = [size] if local(element.tag) in ("text", "tspan") else []
    return own + [s for child in element for s in text_sizes(child, size)]


def svg_problems(source: str) -> list[str]:
    """Why a diagram is unsafe to ship or unreadable at 320 px; an empty list when it is fine."""
    try:
        root = ET.fromstring(source)
    except ET.ParseError as error:
        return [f"not well-formed XML: {error}"]
    problems = []
    view_box = (root.get("viewBox") or "").split()
    width = float(view_box[2]) if len(view_box) == 4 else 0.0
    if not 0 < width <= SVG_MAX_WIDTH:
        problems.append(f"viewBox width {width:g} is not between 0 and {SVG_MAX_WIDTH}")
    if root.get("font-family") != SVG_FONT_FAMILY:
        problems.append(f"font-family is {root.get('font-family')!r}, not {SVG_FONT_FAMILY!r}")
    for element in root.iter():
        tag = local(element.tag)
        if tag in ("script", "foreignObject"):
            problems.append(f"<{tag}> element")
        if tag == "style" and re.search(r"url\(|@import", element.text or ""):
            problems.append("<style> loads something")
        for name, value in element.attrib.items():
            if local(name).lower().startswith("on"):
                problems.append(f"event attribute {local(name)}")
            if local(name) == "href" and not value.startswith("#"):
                problems.append(f"external reference {value}")
            if "url(" in value and not re.fullmatch(r"url\(#[^)]+\)", value.strip()):
                problems.append(f"external url() in {local(name)}")
    sizes = text_sizes(root)
    if not sizes:
        problems.append("no <text>: labels must stay text, not paths")
    elif min(sizes) < SVG_MIN_FONT or width and min(sizes) * PHONE_IMAGE_WIDTH / width < PHONE_MIN_TEXT_PX:
        problems.append(f"smallest text {min(sizes):g} units is under {PHONE_MIN_TEXT_PX} px on a phone")
    return problems


def all_svgs() -> list[Path]:
    return sorted(CONTENT.rglob("*.svg"))


def test_every_module_has_a_figure_and_every_figure_file_exists(series):
    missing, absent = [], []
    for course_set in series.sets:
        for module in course_set.modules:
            figures = [b for p in module.pages for b in p.blocks if isinstance(b, model.Figure)]
            missing += [] if figures else [f"{course_set.id}/{module.id}"]
            absent += [f"{course_set.id}: {f.src}" for f in figures if not (course_set.folder / f.src).is_file()]
    assert missing == [] and absent == []


def test_every_diagram_is_safe_and_readable_on_a_phone():
    assert len(all_svgs()) >= 19
    problems = {str(p.relative_to(CONTENT)): svg_problems(p.read_text("utf-8")) for p in all_svgs()}
    assert {name: found for name, found in problems.items() if found} == {}


def test_the_diagram_check_catches_unsafe_wide_or_tiny_diagrams():
    bad = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 900 300"'
           ' font-family="sans-serif" onload="steal()"><script>steal()</script><foreignObject/>'
           '<image xlink:href="https://example.org/p.png"/><rect fill="url(https://example.org/f)"/>'
           '<g font-size="10"><text>tiny</text></g></svg>')
    found = " | ".join(svg_problems(bad))
    for expected in ("viewBox width 900", "font-family", "<script>", "<foreignObject>", "event attribute onload",
                     "external reference", "external url()", "smallest text 10"):
        assert expected in found, expected
    assert svg_problems("<svg") and "no <text>" in " ".join(svg_problems(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 100" font-family="system-ui, sans-serif"/>'))


CONTRAST_JS = """() => {
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/\\d+/g).slice(0, 3).map(Number).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
                            return (x + 0.05) / (y + 0.05); };
  const low = [];
  for (const text of document.querySelectorAll("text")) {
    const box = text.getBoundingClientRect();
    const under = document.elementsFromPoint(box.x + box.width / 2, box.y + box.height / 2)
      .find((e) => e !== text && !text.contains(e) && !["text", "tspan", "line"].includes(e.tagName)
                   && getComputedStyle(e).fill !== "none");
    const background = under && under.tagName !== "svg" ? getComputedStyle(under).fill : "rgb(255, 255, 255)";
    const contrast = ratio(getComputedStyle(text).fill, background);
    if (contrast < 4.5) low.push(`${text.textContent.trim()}: ${contrast.toFixed(2)}`);
  }
  return low;
}"""


def test_diagram_text_has_aa_contrast_with_what_it_sits_on(browser):
    page = browser.new_page(viewport={"width": 420, "height": 900})
    try:
        page.set_content('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 50">'
                         '<rect width="200" height="50" fill="#ffffff"/><text x="5" y="30" fill="#aaaaaa">pale</text>'
                         '</svg>')
        assert page.evaluate(CONTRAST_JS) == ["pale: 2.32"]
        low = {}
        for path in all_svgs():
            page.goto(path.as_uri())
            found = page.evaluate(CONTRAST_JS)
            if found:
                low[str(path.relative_to(CONTENT))] = found
    finally:
        page.close()
    assert low == {}


# --- worksheets --------------------------------------------------------------------------------------------------

class _Worksheet(HTMLParser):
    """Collects what the worksheet check needs from one HTML file."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.title = self.style = ""
        self._in: str = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        self._in = tag

    def handle_endtag(self, tag: str) -> None:
        self._in = ""

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "style":
            self.style += data


def worksheet_problems(source: str) -> list[str]:
    """Why a worksheet would not print, work offline or make sense to a screen reader; [] when it is fine."""
    sheet = _Worksheet()
    sheet.feed(source)
    tags = [tag for tag, _ in sheet.tags]
    attributes = dict(sheet.tags[tags.index("html")][1]) if "html" in tags else {}
    ids = {attrs["id"] for _, attrs in sheet.tags if "id" in attrs}
    problems = []
    if attributes.get("lang") != "en-GB":
        problems.append("no <html lang=\"en-GB\">")
    if not any(tag == "meta" and attrs.get("charset", "").lower() == "utf-8" for tag, attrs in sheet.tags):
        problems.append("no <meta charset=\"utf-8\">")
    if not sheet.title.strip():
        problems.append("no <title>")
    if tags.count("h1") != 1 or "h2" not in tags:
        problems.append("needs one <h1> and <h2> headings")
    problems += [f"<{tag}> element" for tag in ("script", "iframe", "object", "embed", "link", "img") if tag in tags]
    for tag, attrs in sheet.tags:
        problems += [f"event attribute {name} on <{tag}>" for name in attrs if name.startswith("on")]
        problems += [f"{name}= on <{tag}>" for name in ("src", "href") if name in attrs]
        if "contenteditable" in attrs or tag == "input":
            labels = attrs.get("aria-labelledby", "").split()
            if not attrs.get("aria-label") and not (labels and all(label in ids for label in labels)):
                problems.append(f"<{tag}> to write in has no label")
    if not re.search(r"@page\s*{[^}]*size:\s*A4", sheet.style):
        problems.append("no @page { size: A4 } print rule")
    if re.search(r"url\(|@import", sheet.style):
        problems.append("the style sheet loads something")
    if not any("contenteditable" in attrs or tag == "input" for tag, attrs in sheet.tags):
        problems.append("nothing to write in")
    return problems


def downloads(series: model.Series) -> list[tuple[model.CourseSet, model.Download]]:
    return [(s, b) for s in series.sets for p in s.pages for b in p.blocks if isinstance(b, model.Download)]


def test_every_worksheet_download_exists_and_is_self_contained_and_labelled(series):
    sheets = downloads(series)
    assert len(sheets) >= 23
    problems = {}
    for course_set, block in sheets:
        path = course_set.folder / block.src
        found = worksheet_problems(path.read_text("utf-8")) if path.is_file() else ["file missing"]
        if not block.src.endswith(".html"):
            found.append("not an HTML worksheet")
        if found:
            problems[f"{course_set.id}/{block.src}"] = found
    assert problems == {}


def test_every_worksheet_in_content_is_offered_by_a_download(series):
    offered = {(s.folder / b.src).resolve() for s, b in downloads(series)}
    assert {p.resolve() for p in CONTENT.glob("*/media/*.html")} == offered


def test_the_worksheet_check_catches_scripts_links_and_missing_parts():
    bad = ('<html><head><title> </title><link rel="stylesheet" href="https://example.org/a.css">'
           '<style>@import "x.css";</style></head><body onload="go()"><h2>Notes</h2>'
           '<div contenteditable="true" aria-labelledby="nowhere"></div><script>go()</script></body></html>')
    found = " | ".join(worksheet_problems(bad))
    for expected in ("lang", "charset", "<title>", "<h1>", "<script>", "<link>", "event attribute onload",
                     "href=", "has no label", "@page", "loads something"):
        assert expected in found, expected


def test_worksheets_print_on_one_a4_page(series, browser):
    page = browser.new_page()
    try:
        pages = {}
        for course_set, block in downloads(series):
            page.goto((course_set.folder / block.src).as_uri())
            pdf = page.pdf(format="A4", prefer_css_page_size=True)
            pages[block.src] = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        page.set_content("<html><body>" + "<p>line</p>" * 200 + "</body></html>")
        overflowing = len(re.findall(rb"/Type\s*/Page(?!s)", page.pdf(format="A4")))
    finally:
        page.close()
    assert overflowing > 1
    assert {src: count for src, count in pages.items() if count != 1} == {}


def test_no_worksheet_copies_a_sentence_from_the_seeds(shared):
    seeds = set()
    for path in sorted((shared / "seeds").glob("*.txt")):
        seeds |= shingles(words(path.read_text("utf-8", "replace")))
    allowed = {s for phrase in ALLOWED_PHRASES for s in shingles(words(phrase))}
    copied = [f"{p.relative_to(CONTENT)}: {' '.join(s)}" for p in sorted(CONTENT.rglob("*.html"))
              for s in sorted((shingles(words(re.sub(r"<[^>]+>", " ", p.read_text("utf-8")))) & seeds) - allowed)]
    assert copied == []


# --- one journey, told consistently -------------------------------------------------------------------------------

def plain(text: str) -> str:
    """Markdown or TOML text with emphasis and line breaks removed, lower-cased, for phrase matching."""
    return re.sub(r"\s+", " ", re.sub(r"[*_]", "", text)).lower()


CONTENT_WORDS = re.compile(r"[a-z]{4,}")


def variant_wordings(text: str, guiding: str) -> list[str]:
    """Questions in the text that reword the guiding question (two or more of its words) instead of quoting it."""
    key = set(CONTENT_WORDS.findall(guiding.lower())) - {"genuinely"}
    found = re.findall(r"\bhow (?:do|can|might) [^?.:]{5,120}\?", plain(text))
    return [q for q in found if q != guiding.lower() and len(key & set(CONTENT_WORDS.findall(q))) >= 2]


def module_text(module: model.Module) -> str:
    return module.source.read_text("utf-8")


def test_each_set_states_its_guiding_question_in_one_wording(series):
    introduction = plain(module_text(next(s for s in series.sets if s.id == "introduction").modules[0]))
    problems = []
    for course_set in leading_for_sets(series):
        guiding = GUIDING_QUESTIONS[course_set.id].lower()
        first, last = course_set.modules[0], course_set.modules[-1]
        places = {"set.toml description": course_set.description, "first module": module_text(first),
                  "last module": module_text(last)}
        problems += [f"{course_set.id}: not in the {where}" for where, text in places.items()
                     if guiding not in plain(text)]
        problems += [] if guiding in introduction else [f"{course_set.id}: not in the introduction set"]
        for module in course_set.modules:
            problems += [f"{course_set.id}/{module.id}: reworded as {q!r}"
                         for q in variant_wordings(module_text(module), GUIDING_QUESTIONS[course_set.id])]
    assert problems == []


def test_a_reworded_guiding_question_is_caught():
    text = "This set asks: how do we develop new ideas and *bring about* change? Later: how might we move the poster?"
    assert variant_wordings(text, GUIDING_QUESTIONS["leading-for-innovation"]) == [
        "how do we develop new ideas and bring about change?"]
    assert variant_wordings("It asks how can influence and power be shared for real?",
                            GUIDING_QUESTIONS["leading-for-inclusion"])


def test_each_set_maps_its_modules_to_the_three_stages(series):
    missing = [f"{s.id}: {stage}" for s in leading_for_sets(series) for stage in STAGES
               if stage not in plain(module_text(s.modules[0]))]
    assert missing == []


def test_no_page_claims_what_the_learner_may_not_have_done():
    claims = [f"{p.relative_to(CONTENT)}: {m.group(0)}" for p in sorted(CONTENT.rglob("*.md"))
              for m in UNTRUE_CLAIMS.finditer(plain(p.read_text("utf-8")))]
    assert claims == []
    assert UNTRUE_CLAIMS.search(plain("**What comes next:** you have now completed *Leading for Dialogue*."))


def test_check_warns_when_the_longest_option_is_usually_right(tmp_path):
    """leadpack check says so when a set's checks can be passed by picking the longest option."""
    import shutil

    from tests.conftest import FIXTURE_COURSE, run_cli

    course = shutil.copytree(FIXTURE_COURSE, tmp_path / "course")
    module = course / "content" / "every-block" / "second-steps.md"
    telling = "".join(f"""
::: question id="tell-{n}"
Question {n}?

- [x] The right answer, which is much longer than the others
  > Yes.
- [ ] Short
  > No.
:::
""" for n in range(5))
    module.write_text(module.read_text("utf-8") + telling, "utf-8")
    result = run_cli("check", root=course)
    assert "the right option is the only longest one" in result.stderr
    assert "checked 1 set(s): 0 error(s), 1 warning(s)" in result.stdout
    assert run_cli("check", root=FIXTURE_COURSE).stdout.strip().endswith("0 warning(s)")
