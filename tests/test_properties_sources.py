"""Issue 6 acceptance: random Markdown, front matter and set.toml never crash check or build, and a build either
writes complete, valid packages or nothing at all."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadpack import formats
from leadpack.tools.validate import validate_package
from tests.conftest import FIXTURE_COURSE, run_cli

SET = Path("content") / "every-block"
PLAIN = ["Welcome", "to", "the", "ŵyl", "ŷd", "â", "café", "plan", "team", "*em*", "**strong**", "`code`",
         "[link](#quiz)", "[web](https://example.org)", "![Square](media/square.svg)", "&amp;", "5 < 6", "\t",
         "\u00a0", "\u201cquoted\u201d", "Text[^1]", "<abbr title=\"x\">X</abbr>", '<span lang="cy">Bore da</span>']
HOSTILE = ["<b>", "</b>", "<script>", "<img src=x onerror=y>", "&#106;avascript:", "![](media/x.svg)",
           "[x](javascript:alert(1))", "{#id}", "{: onclick=x }", "\ufeff", "|", ":::", "#", "+++", "=", '"', "'",
           "\\", "<!--", "-->", "%20", "../", "/etc/passwd", "x" * 300, "\x07", "<iframe>", "[a](#nowhere)"]
PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=6)
WORD = st.one_of(*[st.sampled_from(PLAIN)] * 5, PRINTABLE, PRINTABLE, st.sampled_from(HOSTILE), st.text(max_size=4))
TEXT = st.lists(WORD, min_size=1, max_size=8).map(" ".join)
KINDS = ["reflection", "activity", "discussion", "callout", "summary", "question", "figure", "video", "audio",
         "download", "reflexion", ""]
ATTRIBUTES = st.sampled_from(['', ' id="pinned"', ' id="Bad Id"', ' src="media/square.svg" alt="A square"',
                              ' src="media/clip.mp4"', ' src="../../leadpack.toml" title="x"', ' kind="tip"',
                              ' kind="odd"', ' title="T"', " src=\u201cmedia/square.svg\u201d", " junk"])
BLOCK = st.one_of(
    TEXT.map(lambda text: f"::: reflection\n{text}\n:::"),
    st.tuples(TEXT, TEXT, TEXT).map(lambda t: f"::: question\n{t[0]}\n\n- [x] {t[1]}\n  > Yes.\n- [ ] {t[2]}z\n"
                                              "  > No.\n:::"),
    TEXT.map(lambda text: f'::: figure src="media/square.svg" alt="A square"\n{text}\n:::'),
    st.tuples(st.sampled_from(KINDS), ATTRIBUTES, TEXT).map(lambda t: f"::: {t[0]}{t[1]}\n{t[2]}\n:::"),
)
LINE = st.one_of(
    TEXT, TEXT, TEXT, BLOCK, BLOCK, BLOCK,
    TEXT.map(lambda text: f"# {text}"),
    st.tuples(TEXT, st.sampled_from(["", " {#quiz}", " {#Bad}", " {#p-1}"])).map(lambda t: f"# {t[0]}{t[1]}"),
    st.tuples(st.sampled_from(KINDS), ATTRIBUTES).map(lambda t: f"::: {t[0]}{t[1]}"),
    st.just(":::"),
    st.tuples(st.sampled_from(["[x]", "[ ]", "[]", "[X]"]), TEXT).map(lambda t: f"- {t[0]} {t[1]}"),
    TEXT.map(lambda text: f"  > {text}"),
    st.sampled_from(["```", "~~~", "", "---", "===", "## Sub", "1. one", "| a | b |", "|---|---|", "[^1]: note"]),
)
BODY = st.tuples(TEXT, st.lists(LINE, max_size=12)).map(lambda t: "\n\n".join([f"# {t[0]}", *t[1]]))
FRONT_VALUES = st.sampled_from(['"Title"', "30", '"30"', '["An outcome"]', "[]", '"x" "y"', "true", "1.5",
                                "\u201cSmart\u201d", '"' + "t" * 300 + '"', "[1, 2]", "{a = 1}", "", '"ŵ"'])
FRONT_LINE = st.tuples(st.sampled_from(["title", "minutes", "outcomes", "id", "description", "outcome", "x"]),
                       FRONT_VALUES).map(lambda t: f"{t[0]} = {t[1]}")
GOOD_FRONT = 'title = "Second steps ŵ"\nminutes = 5\noutcomes = ["Finish the fixture"]'
FRONT = st.one_of(st.just(GOOD_FRONT), st.just(GOOD_FRONT),
                  st.lists(FRONT_LINE, max_size=4).map(lambda lines: "\n".join([GOOD_FRONT, *lines])),
                  st.lists(FRONT_LINE | TEXT, max_size=6).map("\n".join))
SET_LINE = st.one_of(
    st.sampled_from(['version = "1 2"', 'language = "cy"', 'language = "Welsh"', 'modules = ["second-steps"]',
                     'modules = ["nope"]', "modules = []", 'keywords = ["a"]', 'rule = "odd"', "pass_mark = 700",
                     'pass_mark = "70"', "[other]", "x = 1", 'title = "Pob bloc ŵ"', 'description = "Dysgu"']),
    TEXT,
)
GOOD_SET = ('title = "Every Block"\nversion = "1.2.0"\nmodules = ["first-steps", "second-steps"]\n'
            'keywords = ["ŵ"]\n')
SET_TOML = st.one_of(st.just(GOOD_SET + '[completion]\nrule = "all-pages-and-checks"\npass_mark = 80\n'),
                     st.lists(SET_LINE, max_size=3).map(lambda lines: GOOD_SET + "\n".join(lines)),
                     st.lists(SET_LINE, max_size=8).map("\n".join))
WILD_MODULE = st.tuples(FRONT, BODY, st.booleans(), st.booleans()).map(
    lambda t: ("+++\n" + t[0] + "\n+++\n\n" if t[2] or t[3] else t[0] + "\n") + t[1])
# Ordinary modules: plain words and well-formed blocks, so that about half the examples build.
PLAIN_TEXT = st.lists(st.sampled_from(PLAIN), min_size=1, max_size=6).map(" ".join)
PLAIN_BLOCK = st.one_of(
    PLAIN_TEXT.map(lambda text: f"::: reflection\nWhy {text}?\n:::"),
    st.tuples(PLAIN_TEXT, PLAIN_TEXT).map(lambda t: f"::: question\nPick {t[0]}\n\n- [x] {t[1]}\n  > Yes.\n"
                                                    "- [ ] None of these\n  > No.\n:::"),
    PLAIN_TEXT.map(lambda text: f'::: callout kind="tip"\n{text}\n:::'),
    PLAIN_TEXT.map(lambda text: f'::: figure src="media/square.svg" alt="A square"\n{text}\n:::'),
)
PLAIN_MODULE = st.lists(st.tuples(st.integers(0, 10**6), st.lists(PLAIN_TEXT | PLAIN_BLOCK, min_size=1, max_size=4)),
                        min_size=1, max_size=4).map(
    lambda pages: f"+++\n{GOOD_FRONT}\n+++\n\n" + "\n\n".join(
        f"# Page {number} ŵ\n\n" + "\n\n".join(parts) for number, parts in dict(pages).items()))
MODULE = st.one_of(PLAIN_MODULE, WILD_MODULE)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(module=MODULE, set_toml=st.one_of(st.none(), st.none(), SET_TOML), crlf=st.booleans())
def test_random_sources_never_crash_and_never_leave_partial_output(module, set_toml, crlf):
    with tempfile.TemporaryDirectory() as folder:
        course = Path(folder) / "course"
        shutil.copytree(FIXTURE_COURSE, course)
        newline = "\r\n" if crlf else "\n"
        (course / SET / "second-steps.md").write_bytes(module.replace("\n", newline).encode("utf-8", "replace"))
        if set_toml is not None:
            (course / SET / "set.toml").write_bytes(set_toml.encode("utf-8", "replace"))

        checked = run_cli("check", root=course)  # an unhandled exception propagates and fails the test
        assert checked.exit_code in (0, 1), checked.output
        assert "Traceback" not in checked.output

        out = course / "dist"
        built = run_cli("-q", "build", "--out", out, root=course)
        assert built.exit_code in (0, 1), built.output
        assert (built.exit_code == 0) == (checked.exit_code == 0), (checked.output, built.output)
        if built.exit_code == 1:
            assert not out.exists() or not any(out.iterdir()), "a failed build left files behind"
            return
        packages = sorted(out.glob("*.zip"))
        assert [p.name.rsplit("-", 1)[1] for p in packages] == [f"{fmt}.zip" for fmt in sorted(formats.names())]
        assert not list(out.glob(".*partial"))
        for package in packages:
            with zipfile.ZipFile(package) as archive:
                assert archive.testzip() is None
            report = validate_package(package)
            assert not report.errors, [str(p) for p in report.errors]
