"""Command-line interface: parse options, call the pipeline, print results. Exit 0 ok, 1 content, 2 usage."""

from __future__ import annotations

import difflib
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING

import click

from leadpack import __version__, formats
from leadpack.errors import LeadpackError, Problem, ProblemsFound, SourceError, counted, display_path

if TYPE_CHECKING:  # the pipeline is imported only by the commands that run it, so --help stays quick
    from leadpack.pipeline.build import Built, Package

SEVERITY_COLOURS = {"error": "red", "warning": "yellow"}


@dataclass
class Context:
    """The global options, wherever on the command line they were given."""

    root: Path = Path(".")
    quiet: bool = False
    verbose: bool = False
    debug: bool = False

    def say(self, message: str = "", err: bool = False) -> None:
        if not self.quiet:
            click.echo(message, err=err, color=colour())


def colour() -> bool | None:
    """None lets click colour a terminal only; NO_COLOR (set and not empty) turns colour off everywhere."""
    return False if os.environ.get("NO_COLOR") else None


def echo_problem(problem: Problem) -> None:
    """``path:line:col: warning: message (hint)`` on standard error, the severity coloured on a terminal."""
    styled = click.style(problem.severity, fg=SEVERITY_COLOURS.get(problem.severity), bold=True)
    # the first ": severity: " in the line is the severity (Problem.__str__ is the one definition of the form)
    click.echo(str(problem).replace(f": {problem.severity}: ", f": {styled}: ", 1), err=True, color=colour())


def echo_error(message: str) -> None:
    """``error: message`` on standard error, coloured like a problem's severity."""
    styled = click.style("error", fg=SEVERITY_COLOURS["error"], bold=True)
    click.echo(f"{styled}: {message}", err=True, color=colour())


def _terminate(signum: int, frame: object) -> None:
    """Turn SIGTERM into an exception so temporary files are removed on the way out."""
    raise KeyboardInterrupt


def handles_errors(command: Callable) -> Callable:
    """User mistakes print one clear message and exit 1; --debug shows the traceback."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        ctx: Context = click.get_current_context().obj
        try:
            return command(*args, **kwargs)
        except (ProblemsFound, SourceError) as exc:
            problems = exc.problems if isinstance(exc, ProblemsFound) else [exc.problem]
            if kwargs.get("as_json"):
                click.echo(json.dumps({"ok": False, "problems": [p.as_dict() for p in problems]}, indent=2))
            else:
                for problem in problems:
                    echo_problem(problem)
                if isinstance(exc, ProblemsFound):
                    click.echo(_problems_found(problems), err=True)
            _maybe_trace(ctx)
            sys.exit(1)
        except LeadpackError as exc:
            echo_error(str(exc))
            _maybe_trace(ctx)
            sys.exit(1)
        except OSError as exc:  # the file system refused: a full disk, a missing folder, no permission
            where = f" ({exc.filename})" if exc.filename else ""
            echo_error(f"{exc.strerror or exc}{where}")
            _maybe_trace(ctx)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted: nothing partial was left in the output folder", err=True)
            sys.exit(130)

    return wrapper


def _problems_found(problems: list[Problem]) -> str:
    count = len(problems)
    if all(p.severity == "warning" for p in problems):  # only --strict stops a build on warnings
        return f"{counted(count, 'warning')}, which --strict treats as errors; nothing was written."
    return f"{counted(count, 'problem')} found; nothing was written."


def _maybe_trace(ctx: Context) -> None:
    if ctx and ctx.debug:
        click.echo(traceback.format_exc().rstrip(), err=True)


def _set_global(click_ctx: click.Context, param: click.Parameter, value: object) -> None:
    """Record a global option in the shared Context, whether it came before the subcommand or after it."""
    if value:
        setattr(click_ctx.ensure_object(Context), param.name, value)


GLOBAL_OPTIONS = (
    click.option("--root", type=click.Path(file_okay=False, path_type=Path), expose_value=False,
                 callback=_set_global, help="Course folder holding leadpack.toml (default: here)."),
    click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_set_global, help="Print only errors."),
    click.option("-v", "--verbose", is_flag=True, expose_value=False, callback=_set_global,
                 help="Print more: stage timings, the files in each package, every web link."),
    click.option("--debug", is_flag=True, expose_value=False, callback=_set_global,
                 help="Show a traceback on errors."),
)


def global_options(command: Callable) -> Callable:
    """The global options, accepted before the subcommand (leadpack -q build) and after it (leadpack build -q)."""
    for option in reversed(GLOBAL_OPTIONS):
        command = option(command)
    return command


class Commands(click.Group):
    """A mistyped command gets a suggestion: "No such command 'biuld'. Did you mean 'build'?"."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None and not ctx.resilient_parsing:
            near = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            if near:
                ctx.fail(f"No such command '{name}'. Did you mean '{near[0]}'?")
        return super().resolve_command(ctx, args)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@global_options
@click.version_option(__version__, prog_name="leadpack")
@click.pass_context
def main(click_ctx: click.Context) -> None:
    """Compile a Markdown course into e-learning packages (SCORM, xAPI) that learning platforms track."""
    signal.signal(signal.SIGTERM, _terminate)
    click_ctx.ensure_object(Context)


@main.command()
@click.argument("sets", nargs=-1)
@click.option("--format", "format_names", multiple=True, type=click.Choice(formats.names()),
              help="Output format (repeat for several; default: every format in leadpack.toml).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: dist).")
@click.option("--sco-per", type=click.Choice(["set", "module"]), help="One SCORM SCO per set or per module.")
@click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of templates that override the defaults.")
@click.option("--strict", is_flag=True, help="Fail on warnings too: exit 1 and write nothing.")
@click.option("--clean", is_flag=True,
              help="Remove packages and statement drafts in the output folder that this build did not write.")
@click.option("--jobs", type=int, default=1, metavar="N", callback=lambda c, p, v: _jobs(v),
              help="Build in N processes (0: one per core); the packages are the same, byte for byte.")
@click.option("--shard", metavar="I/N", callback=lambda c, p, v: _shard(v),
              help="Build only the I-th of N slices of the packages (for a CI matrix); all N together are the "
                   "whole build.")
@click.option("--languages", type=click.Choice(["together", "apart"]),
              help="A set in several languages: one package holding them all, or one package per language.")
@click.option("--edition", "edition_names", multiple=True, metavar="ID",
              help="Build an organisation's edition (content/editions/ID.toml) into OUT/ID/; repeat for several, "
                   "or 'all' for the series' own and every edition (default: the series' own only).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@global_options
@click.pass_obj
@handles_errors
def build(ctx: Context, sets: tuple[str, ...], format_names: tuple[str, ...], out: Path | None, sco_per: str | None,
          templates: Path | None, strict: bool, clean: bool, jobs: int, shard: tuple[int, int] | None,
          languages: str | None, edition_names: tuple[str, ...], as_json: bool) -> None:
    """Build packages for every set (or the SETS named) into dist/, each with its LMS hand-off sheet."""
    from leadpack.pipeline.build import BuildOptions
    from leadpack.pipeline.build import build as run_build

    show_progress = not (ctx.quiet or as_json) and sys.stderr.isatty()

    def progress(label: str) -> None:
        if show_progress:
            click.echo(f"  building {label}…", err=True)

    started = time.perf_counter()
    options = BuildOptions(sets, format_names, out, sco_per, templates, strict, clean, jobs, shard or (1, 1),
                           languages=languages, editions=edition_names)
    built = run_build(ctx.root, options, progress)
    seconds = time.perf_counter() - started
    if as_json:
        report = {"ok": True, "packages": [p.summary() for p in built.packages],
                  "external_links": _links(built.series), "warnings": [p.as_dict() for p in built.warnings]}
        if clean:
            report["removed"] = [str(path) for path in built.removed]
        click.echo(json.dumps(report, indent=2))
        return
    if not ctx.quiet:
        for warning in built.warnings:
            echo_problem(warning)
    rows = [(f"{p.edition}/{p.path.name}" if p.edition else p.path.name, _size(len(p.data)), str(p.files),
             p.sha256[:12]) for p in built.packages]
    _table(ctx, ("package", "size", "files", "sha256"), rows)
    _budgets(ctx, built.packages)
    _translation_status(ctx, built.series)
    _web_links(ctx, _links(built.series))
    if ctx.verbose:
        _stages_and_files(ctx, built)
    for path in built.removed:
        ctx.say(f"removed {display_path(path)} (this build did not write it)")
    warned = click.style(counted(len(built.warnings), "warning"), fg="yellow") if built.warnings else "no warnings"
    part = f" (shard {shard[0]}/{shard[1]})" if shard else ""
    ctx.say(f"built {counted(len(built.packages), 'package')}{part} in {seconds:.1f} s, {warned}")


def _jobs(value: int) -> int:
    """--jobs N: N processes, 0 for one per core; a negative number is a usage error (exit 2)."""
    if value < 0:
        raise click.BadParameter(f"{value} is not a number of processes: give 1 or more, or 0 for one per core")
    if value == 0:
        from leadpack.pipeline.parallel import core_count

        return core_count()
    return value


def _shard(value: str | None) -> tuple[int, int] | None:
    """--shard I/N: whole numbers with 1 <= I <= N; anything else is a usage error (exit 2)."""
    if value is None:
        return None
    index, slash, count = value.partition("/")
    if not (slash and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise click.BadParameter(f"'{value}' is not a shard: write I/N with whole numbers, 1 <= I <= N "
                                 "(for example 2/4 for the second of four)")
    return int(index), int(count)


def _budgets(ctx: Context, packages: list[Package]) -> None:
    for package in packages:
        element = formats.get(package.format).state_element
        for budget in package.budgets if element else []:
            edition = f"{package.edition}: " if package.edition else ""
            ctx.say(f"{edition}{element.removeprefix('cmi.')} worst case {package.set_id}/{budget['unit']} "
                    f"({package.format}): "
                    f"{budget['worst_case']} of {budget['limit']} characters (reflections up to "
                    f"{budget['reflection_max']})")


def _translation_status(ctx: Context, series) -> None:  # noqa: ANN001 - a model.Series
    """A translation awaiting review says so at every build, until a reviewer sets status = "reviewed"."""
    for course_set in series.sets:
        for translation in course_set.translations:
            if translation.status == "draft":
                ctx.say(f"{course_set.id}: the {translation.language} translation is a draft awaiting review "
                        f"(status = \"draft\" in {display_path(translation.folder / 'set.toml')}); its packages' "
                        "metadata say so")


def _web_links(ctx: Context, links: list[str]) -> None:
    if links and ctx.verbose:
        ctx.say("links learners may follow to the web:")
        for link in links:
            ctx.say(f"  {link}")
    elif links:
        ctx.say(f"{len(links)} web link(s) for further reading (see --verbose)")


def _stages_and_files(ctx: Context, built: Built) -> None:
    """--verbose: where the time went, then every file of every package with its size before compression."""
    ctx.say("stages: " + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in built.stages.items()))
    for package in built.packages:
        ctx.say(f"{package.path.name}: {counted(package.files, 'file')}")
        width = max((len(name) for name, _ in package.contents), default=0)
        for name, size in package.contents:
            ctx.say(f"  {name.ljust(width)}  {_size(size).rjust(9)}")


def _set_id(click_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A set id is its folder's name and part of every package name: refuse one the loader would rename."""
    from leadpack.pipeline.model import ID_PATTERN, slugify

    if value is None or ID_PATTERN.match(value):
        return value
    suggestion = slugify(value)
    raise click.BadParameter(f"'{value}' is not a set id: use lower-case letters, digits and hyphens"
                             + (f" (for example '{suggestion}')" if suggestion else ""))


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--set", "set_id", metavar="ID", callback=_set_id,
              help="Add a set with this id to the course (in a folder with no course yet: the first set's id).")
@global_options
@click.pass_obj
@handles_errors
def new(ctx: Context, folder: Path | None, set_id: str | None) -> None:
    """Write a small working course into FOLDER (default: the course folder), or add a set to it with --set.

    Never overwrites a file. The course builds and passes check as it is, and uses every kind of block.
    """
    from leadpack.tools.scaffold import FIRST_SET, new_course, new_set

    folder = folder if folder is not None else ctx.root
    config = folder / "leadpack.toml"
    if config.is_file() and not set_id:
        raise LeadpackError(f"{display_path(config)} already exists; nothing was written (to add a set to this "
                            "course: leadpack new --set ID)")
    if config.is_file():
        written, order = new_set(folder, set_id)
        summary = f"added the set '{set_id}' ({order})"
    else:
        written = new_course(folder, set_id or FIRST_SET)
        summary = f"wrote a course with the set '{set_id or FIRST_SET}' into {display_path(folder)}"
    for path in written:
        ctx.say(f"  {display_path(path)}")
    ctx.say(summary)
    here = folder.resolve() == Path.cwd().resolve()
    root = "" if here else f" --root {display_path(folder)}"
    ctx.say(f"next: leadpack check{root}, then leadpack build{root} and leadpack preview{root}")


def _links(series) -> list[str]:
    return sorted({link for course_set in series.sets for link in course_set.external_links})


@main.command(name="list")
@click.argument("sets", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@global_options
@click.pass_obj
@handles_errors
def list_command(ctx: Context, sets: tuple[str, ...], as_json: bool) -> None:
    """List sets and modules with page, word and question counts, each set's languages, and the editions."""
    from leadpack.pipeline.load import load_series

    series = load_series(ctx.root, sets)
    data = [{
        "id": s.id, "title": s.title, "version": s.version,
        "languages": [version.language for version in s.language_versions],
        "modules": [{"id": m.id, "title": m.title, "pages": len(m.pages), "words": m.words,
                     "questions": len(m.questions), "reflections": len(m.reflections)} for m in s.modules],
    } for s in series.sets]
    editions = [{"id": e.id, "organisation": e.organisation, "base_iri": e.base_iri} for e in series.editions]
    if as_json:
        click.echo(json.dumps({"sets": data, "editions": editions}, indent=2, ensure_ascii=False))
        return
    rows = []
    for course_set in data:
        modules = course_set["modules"]
        rows.append((course_set["id"], course_set["title"], ", ".join(course_set["languages"]), str(len(modules)),
                     str(sum(m["pages"] for m in modules)), str(sum(m["words"] for m in modules)),
                     str(sum(m["questions"] for m in modules))))
        for module in modules:
            rows.append(("", f"  {module['title']}", "", "", str(module["pages"]), str(module["words"]),
                         str(module["questions"])))
    _table(ctx, ("set", "title", "languages", "modules", "pages", "words", "questions"), rows)
    total_modules = sum(len(s["modules"]) for s in data)
    ctx.say(f"{len(data)} sets, {total_modules} modules")
    if editions:
        ctx.say(f"{len(editions)} edition(s) in content/editions/: "
                + ", ".join(f"{e['id']} ({e['organisation']})" for e in editions))


@main.command()
@click.argument("sets", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@global_options
@click.pass_obj
@handles_errors
def check(ctx: Context, sets: tuple[str, ...], as_json: bool) -> None:
    """Find mistakes in the sources without building."""
    from leadpack.pipeline.checks import check_series
    from leadpack.pipeline.load import read_series

    series, found = read_series(ctx.root, sets)
    problems = sorted(found + [p for p in check_series(series) if p not in found],
                      key=lambda p: (p.path, p.line, p.col))
    errors = [p for p in problems if p.severity == "error"]
    if as_json:
        click.echo(json.dumps({"ok": not errors, "problems": [p.as_dict() for p in problems]}, indent=2))
    else:
        for problem in problems:
            echo_problem(problem)
        ctx.say(f"checked {len(series.sets)} set(s): {len(errors)} error(s), "
                f"{len(problems) - len(errors)} warning(s)")
    if errors:
        sys.exit(1)


@main.command()
@click.argument("set_id", required=False, metavar="[SET]")
@click.option("--format", "format_name", type=click.Choice(formats.names()),
              help="Package format to try (default: the first in leadpack.toml).")
@click.option("--port", type=click.IntRange(0, 65535), default=8640, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the web browser.")
@click.option("--watch", is_flag=True, help="Rebuild and reload when a file under content/ or templates/ changes.")
@global_options
@click.pass_obj
@handles_errors
def preview(ctx: Context, set_id: str | None, format_name: str | None, port: int, open_browser: bool,
            watch: bool) -> None:
    """Try a package as an LMS runs it, with live tracking data, on 127.0.0.1 only."""
    import time
    import webbrowser

    from leadpack.tools.preview.server import PreviewServer

    server = PreviewServer(ctx.root, (set_id,) if set_id else (), format_name, port, watch,
                           log=lambda line: ctx.say(line, err=True))
    server.start()
    try:
        sets = ", ".join(server.builder.sets)
        click.echo(f"previewing {sets} ({server.builder.format.name}) at {server.url}")
        if watch:
            ctx.say("watching content/ and templates/: an edit rebuilds its set and reloads the page")
        ctx.say("press Ctrl-C to stop")
        if open_browser:
            webbrowser.open(server.url)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        ctx.say("preview stopped", err=True)
    finally:
        server.stop()


@main.command(name="explain")
@click.argument("suspend_data")
@click.option("--package", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The .zip the learner used; it names the pages, questions and reflections.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@global_options
@click.pass_obj
@handles_errors
def explain_command(ctx: Context, suspend_data: str, package: Path | None, as_json: bool) -> None:
    """Say in plain words what a learner's saved progress holds (SUSPEND_DATA as copied from the LMS; - reads
    standard input)."""
    from leadpack.tools.explain import describe, explain, parse_state, units_in_package

    # Standard input as bytes: text that is not UTF-8 becomes characters parse_state refuses in one line.
    copied = sys.stdin.buffer.read().decode("utf-8", "surrogateescape") if suspend_data == "-" else suspend_data
    state = parse_state(copied)
    explanation = explain(state, units_in_package(package) if package else None)
    if as_json:
        click.echo(json.dumps(explanation.as_dict(), indent=2, ensure_ascii=False))
        return
    for line in describe(explanation):
        click.echo(line)


@main.command()
@click.argument("packages", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--schemas", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of official XSDs (one sub-folder per format) to validate the manifests against.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@global_options
@click.pass_obj
@handles_errors
def validate(ctx: Context, packages: tuple[Path, ...], schemas: Path | None, as_json: bool) -> None:
    """Check packages of any format leadpack knows (ours or anyone's) before uploading them. Exit 0 clean, 1
    problems."""
    from leadpack.tools.validate import SchemaError, validate_package

    try:
        reports = [validate_package(path, schemas) for path in packages]
    except SchemaError as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        click.echo(json.dumps({"ok": not any(r.errors for r in reports), "packages": [r.as_dict() for r in reports]},
                              indent=2, ensure_ascii=False))
    else:
        for report in reports:
            for problem in report.problems:
                echo_problem(problem)
            kinds = " + ".join(report.kinds) or "unknown format"
            verdict = "valid" if not report.errors else f"{len(report.errors)} error(s)"
            warnings = len(report.problems) - len(report.errors)
            ctx.say(f"{report.label}: {kinds}: {verdict}" + (f", {warnings} warning(s)" if warnings else ""))
    if any(r.errors for r in reports):
        sys.exit(1)


@main.command()
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@global_options
@click.pass_obj
@handles_errors
def diff(ctx: Context, old: Path, new: Path, as_json: bool) -> None:
    """What changed between two releases, and whether uploading NEW over OLD keeps learners' progress.

    Exit 0 when progress is safe, 1 when it would be reset or misattributed, 2 when the files cannot be compared.
    """
    from leadpack.tools.diff import CannotCompare, compare, read_release, render_text, summary

    try:
        before, after = read_release(old), read_release(new)
        changes = compare(before, after)
    except CannotCompare as exc:
        echo_error(str(exc))
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(summary(before, after, changes), indent=2, ensure_ascii=False))
    else:
        for line in render_text(before, after, changes):
            click.echo(line)
    if any(change.affects_progress for change in changes):
        sys.exit(1)


@main.command(name="release")
@click.argument("old_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("new_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write release-notes.md (one per edition folder) and the index packages.json into this folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the index of packages as JSON.")
@global_options
@click.pass_obj
@handles_errors
def release_command(ctx: Context, old_dir: Path, new_dir: Path, out: Path | None, as_json: bool) -> None:
    """Release notes for every set (and edition) between two release folders, and an index of the new packages.

    Exit 0 when every package is safe for learners, 1 when any change affects them, 2 when the folders cannot
    be compared.
    """
    from leadpack.pipeline.archive import write_files_atomically
    from leadpack.tools.release import CannotCompare, notes_files, release, render_text

    try:
        report = release(old_dir, new_dir)
    except CannotCompare as exc:
        echo_error(str(exc))
        sys.exit(2)
    written = notes_files(report, out) if out else []
    write_files_atomically(written)
    if as_json:
        click.echo(json.dumps({**report.as_dict(), "written": [str(path) for path, _ in written]}, indent=2,
                              ensure_ascii=False))
    else:
        for line in render_text(report):
            click.echo(line)
        for path, _ in written:
            ctx.say(f"wrote {display_path(path)}")
    if not report.safe:
        sys.exit(1)


@main.group(cls=Commands)
def translate() -> None:
    """Hand a set's texts to translators as XLIFF 2.0, and write their translations back into the sources."""


@translate.command(name="export")
@click.argument("set_id", metavar="SET")
@click.option("--lang", "language", required=True, metavar="LANGUAGE",
              help="The language to translate into, as a tag (cy, en-GB): the translation's folder name.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The XLIFF file to write (default: <set>-<language>.xlf in the course folder).")
@global_options
@click.pass_obj
@handles_errors
def translate_export(ctx: Context, set_id: str, language: str, out: Path | None) -> None:
    """Write SET's texts as XLIFF 2.0 for translating into LANGUAGE: each text with its translation so far and
    whether it is still to translate (new, or changed in the original since it was translated)."""
    from leadpack.pipeline.config import LANGUAGE_TAG
    from leadpack.tools.translate import export

    if not LANGUAGE_TAG.match(language):
        raise click.BadParameter(f"'{language}' is not a language tag (for example cy or en-GB)", param_hint="--lang")
    exported = export(ctx.root, set_id, language, out)
    ctx.say(f"wrote {display_path(exported.path)}: {counted(exported.units, 'text')}, {exported.to_translate} to "
            "translate")


@translate.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@global_options
@click.pass_obj
@handles_errors
def translate_import(ctx: Context, file: Path) -> None:
    """Write the translation in FILE (an XLIFF 2.0 file from translate export, translated) into the set's
    translation folder, in the structure of the original; nothing is written if any of it cannot be used."""
    from leadpack.tools.translate import import_file

    imported = import_file(ctx.root, file)
    for path in imported.written:
        ctx.say(f"  {display_path(path)}")
    ctx.say(f"imported {display_path(file)} into {imported.set_id}/{imported.language}: "
            f"{counted(len(imported.written), 'file')} changed, {imported.untranslated} text(s) still in the original "
            "language" + (f", {imported.dropped} unit(s) the original no longer has left out" if imported.dropped
                          else ""))
    if not imported.listed:
        ctx.say(f'next: add "{imported.language}" to languages in content/{imported.set_id}/set.toml to build it')


def _size(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def _table(ctx: Context, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        ctx.say("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
