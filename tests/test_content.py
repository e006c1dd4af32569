"""Issue 5 acceptance: the course's structure, counts and originality are pinned."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest

from leadpack import formats
from leadpack.pipeline import model
from leadpack.pipeline.load import load_series
from tests.conftest import REPO

EXPECTED = {
    "introduction": ("Introduction to the Leading Libraries series",
                     ["Introduction to the Leading Libraries series"]),
    "leading-for-resilience": ("Leading for Resilience", [
        "An introduction to resilience factors",
        "Emotional resilience – maintaining balance",
        "Mental resilience – inner dialogue and limiting beliefs",
        "Relationship resilience – conversations for change",
        "Social resilience – conditions for healthy groups"]),
    "leading-for-dialogue": ("Leading for Dialogue", [
        "Leading through dialogue", "The art of listening", "Skilful conversing", "Holding a space for dialogue"]),
    "leading-for-inclusion": ("Leading for Inclusion", [
        "Inclusion & inclusive leadership", "Challenges to inclusive practice", "Power and privilege",
        "Developing allyship"]),
    "leading-for-innovation": ("Leading for Innovation", [
        "The innovation cycle", "Inquiry and reflection", "Ideation and creativity",
        "Prototyping and experimentation"]),
}
# Names that may stand in our text exactly as in the seeds: titles of sets, modules, roles and works.
ALLOWED_PHRASES = [title for set_title, modules in EXPECTED.values() for title in [set_title, *modules]] + [
    "The 21st Century Public Servant", "Needham and Mangan University of Birmingham 2014", "Stepping into Leadership",
    "municipal entrepreneur", "navigator", "resource weaver", "storyteller", "system architect",
    "Leading for Resilience Leading for Dialogue Leading for Inclusion Leading for Innovation",
]
SHINGLE = 8


@pytest.fixture(scope="module")
def series() -> model.Series:
    return load_series(REPO)


def test_five_sets_and_eighteen_modules_in_order(series):
    assert [s.id for s in series.sets] == list(EXPECTED)
    for course_set in series.sets:
        title, modules = EXPECTED[course_set.id]
        assert course_set.title == title
        assert [m.title for m in course_set.modules] == modules
    assert sum(len(s.modules) for s in series.sets) == 18


def test_every_module_is_within_the_ranges(series):
    for module in (m for s in series.sets for m in s.modules):
        kinds = [block.kind for page in module.pages for block in page.blocks]
        assert 5 <= len(module.pages) <= 8, module.id
        assert 1500 <= module.words <= 2500, (module.id, module.words)
        assert kinds.count("reflection") >= 2, module.id
        assert kinds.count("activity") >= 1, module.id
        assert kinds.count("discussion") >= 1, module.id
        assert 4 <= kinds.count("question") <= 6, module.id
        assert "summary" in kinds, module.id
        assert len(module.outcomes) >= 2, module.id


def test_every_question_teaches(series):
    for question in (q for s in series.sets for q in s.questions):
        assert question.correct_keys, question.id
        assert all(option.feedback_html.strip() for option in question.options), question.id
        assert 3 <= len(question.options) <= 6, question.id


# How a recall question opens: it asks what the module says, not what someone in a situation should do.
RECALL_OPENING = re.compile(r"^(Which (of these|two|statement|description|role)|What (does|is|makes|should)|"
                            r"Why (does|are|is)|According|Thinking about|In the |When is)", re.I)


def test_more_scenario_questions_than_recall_in_every_set(series):
    """Issue 13: checks test understanding: in every set most questions put the learner in a situation (a person,
    a branch, a meeting) rather than ask what the module said."""
    for course_set in series.sets:
        recall = [q for q in course_set.questions if RECALL_OPENING.match(q.stem_text)]
        assert len(recall) < len(course_set.questions) - len(recall), (course_set.id, [q.id for q in recall])
    assert RECALL_OPENING.match("What does social resilience describe?")  # the rule can tell the two apart
    assert not RECALL_OPENING.match("Femi has just calmed a customer who shouted at him. What should he do next?")


def test_every_set_has_a_pass_mark_and_a_diagram_with_a_text_alternative(series):
    for course_set in series.sets:
        assert course_set.completion.pass_mark is not None, course_set.id
        figures = [b for p in course_set.pages for b in p.blocks if isinstance(b, model.Figure)]
        assert any(f.src.endswith(".svg") for f in figures), course_set.id
        for figure in figures:
            assert figure.alt.strip() and len(figure.description_html) > 200, figure.src
        for asset in course_set.assets:
            if asset.src.endswith(".svg"):
                svg = asset.source.read_text("utf-8")
                assert 'role="img"' in svg and "<title" in svg and "http" not in svg.replace(
                    "http://www.w3.org/2000/svg", ""), asset.src


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text.lower()).replace("'", "").replace("’", "")
    return re.findall(r"[a-z0-9]+", text)


def shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def test_no_sentences_copied_from_the_seeds(shared):
    seeds = set()
    for path in sorted((shared / "seeds").glob("*.txt")):
        seeds |= shingles(words(path.read_text("utf-8", "replace")))
    allowed = set()
    for phrase in ALLOWED_PHRASES:
        allowed |= shingles(words(phrase))
    copied = []
    for path in sorted((REPO / "content").rglob("*")):
        if path.suffix in (".md", ".toml", ".svg", ".html"):  # .html: the printable worksheets, as text
            text = path.read_text("utf-8")
            if path.suffix == ".html":
                text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(style|script)\b.*?</\1>", " ", text)))
            common = (shingles(words(text)) & seeds) - allowed
            copied += [f"{path.relative_to(REPO)}: {' '.join(s)}" for s in sorted(common)]
    assert copied == []


def test_overlap_check_would_catch_a_copied_sentence(shared):
    seed = next((shared / "seeds").glob("000_*.txt")).read_text("utf-8")
    sentence = " ".join(words(seed)[40:52])
    assert shingles(words(sentence)) & shingles(words(seed))


def test_content_builds_and_largest_set_fits_the_budget(course_build):
    import json
    import zipfile

    settings = load_series(REPO).build
    for (set_id, fmt), path in course_build.items():
        with zipfile.ZipFile(path) as archive:
            html = archive.read("index.html").decode()
        data = json.loads(re.search(r'<script type="application/json" id="lp-data">(.*?)</script>', html,
                                    re.S).group(1))
        assert data["limit"] == formats.get(fmt).state_limit(settings) and data["reflectionMax"] >= 80, set_id


def test_content_check_is_clean():
    from tests.conftest import run_cli

    result = run_cli("check", root=REPO)
    assert result.exit_code == 0, result.output

