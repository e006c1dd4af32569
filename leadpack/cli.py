"""Command-line interface: parse options, call the pipeline, print results. Exit 0 ok, 1 content, 2 usage."""

from __future__ import annotations

import json
import signal
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path

import click

from leadpack import __version__, formats
from leadpack.errors import LeadpackError, ProblemsFound, SourceError


class Context:
    def __init__(self, root: Path, quiet: bool, verbose: bool, debug: bool):
        self.root, self.quiet, self.verbose, self.debug = root, quiet, verbose, debug

    def say(self, message: str = "", err: bool = False) -> None:
        if not self.quiet:
            click.echo(message, err=err)


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
                    click.echo(str(problem), err=True)
                if isinstance(exc, ProblemsFound):
                    count = len(problems)
                    click.echo(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.", err=True)
            _maybe_trace(ctx)
            sys.exit(1)
        except LeadpackError as exc:
            click.echo(f"error: {exc}", err=True)
            _maybe_trace(ctx)
            sys.exit(1)
        except OSError as exc:  # the file system refused: a full disk, a missing folder, no permission
            where = f" ({exc.filename})" if exc.filename else ""
            click.echo(f"error: {exc.strerror or exc}{where}", err=True)
            _maybe_trace(ctx)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted: nothing partial was left in the output folder", err=True)
            sys.exit(130)

    return wrapper


def _maybe_trace(ctx: Context) -> None:
    if ctx and ctx.debug:
        click.echo(traceback.format_exc().rstrip(), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="Course folder holding leadpack.toml (default: here).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print more detail.")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
@click.version_option(__version__, prog_name="leadpack")
@click.pass_context
def main(click_ctx: click.Context, root: Path, quiet: bool, verbose: bool, debug: bool) -> None:
    """Compile a Markdown course into e-learning packages (SCORM, xAPI) that learning platforms track."""
    signal.signal(signal.SIGTERM, _terminate)
    click_ctx.obj = Context(root, quiet, verbose, debug)


@main.command()
@click.argument("sets", nargs=-1)
@click.option("--format", "format_names", multiple=True, type=click.Choice(formats.names()),
              help="Output format (repeat for several; default: every format in leadpack.toml).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: dist).")
@click.option("--sco-per", type=click.Choice(["set", "module"]), help="One SCORM SCO per set or per module.")
@click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of templates that override the defaults.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.pass_obj
@handles_errors
def build(ctx: Context, sets: tuple[str, ...], format_names: tuple[str, ...], out: Path | None, sco_per: str | None,
          templates: Path | None, as_json: bool) -> None:
    """Build packages for every set (or the SETS named) into dist/."""
    from leadpack.pipeline.build import BuildOptions
    from leadpack.pipeline.build import build as run_build

    show_progress = not (ctx.quiet or as_json) and sys.stderr.isatty()

    def progress(label: str) -> None:
        if show_progress:
            click.echo(f"  building {label}…", err=True)

    series, packages = run_build(ctx.root, BuildOptions(sets, format_names, out, sco_per, templates), progress)
    if as_json:
        click.echo(json.dumps({"ok": True, "packages": [p.summary() for p in packages],
                               "external_links": _links(series)}, indent=2))
        return
    rows = [(p.path.name, _size(len(p.data)), str(p.files), p.sha256[:12]) for p in packages]
    _table(ctx, ("package", "size", "files", "sha256"), rows)
    for package in packages:
        element = formats.get(package.format).state_element
        for budget in package.budgets if element else []:
            ctx.say(f"{element.removeprefix('cmi.')} worst case {package.set_id}/{budget['unit']} ({package.format}): "
                    f"{budget['worst_case']} of {budget['limit']} characters (reflections up to "
                    f"{budget['reflection_max']})")
    links = _links(series)
    if links and ctx.verbose:
        ctx.say("links learners may follow to the web:")
        for link in links:
            ctx.say(f"  {link}")
    elif links:
        ctx.say(f"{len(links)} web link(s) for further reading (see --verbose)")


def _links(series) -> list[str]:
    return sorted({link for course_set in series.sets for link in course_set.external_links})


@main.command(name="list")
@click.argument("sets", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@handles_errors
def list_command(ctx: Context, sets: tuple[str, ...], as_json: bool) -> None:
    """List sets and modules with page, word and question counts."""
    from leadpack.pipeline.load import load_series

    series = load_series(ctx.root, sets)
    data = [{
        "id": s.id, "title": s.title, "version": s.version,
        "modules": [{"id": m.id, "title": m.title, "pages": len(m.pages), "words": m.words,
                     "questions": len(m.questions), "reflections": len(m.reflections)} for m in s.modules],
    } for s in series.sets]
    if as_json:
        click.echo(json.dumps({"sets": data}, indent=2, ensure_ascii=False))
        return
    rows = []
    for course_set in data:
        modules = course_set["modules"]
        rows.append((course_set["id"], course_set["title"], str(len(modules)),
                     str(sum(m["pages"] for m in modules)), str(sum(m["words"] for m in modules)),
                     str(sum(m["questions"] for m in modules))))
        for module in modules:
            rows.append(("", f"  {module['title']}", "", str(module["pages"]), str(module["words"]),
                         str(module["questions"])))
    _table(ctx, ("set", "title", "modules", "pages", "words", "questions"), rows)
    total_modules = sum(len(s["modules"]) for s in data)
    ctx.say(f"{len(data)} sets, {total_modules} modules")


@main.command()
@click.argument("sets", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
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
            click.echo(str(problem), err=True)
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
@click.pass_obj
@handles_errors
def explain_command(ctx: Context, suspend_data: str, package: Path | None, as_json: bool) -> None:
    """Say in plain words what a learner's saved progress holds (SUSPEND_DATA as copied from the LMS; - reads
    standard input)."""
    from leadpack.tools.explain import describe, explain, parse_state, units_in_package

    state = parse_state(sys.stdin.read() if suspend_data == "-" else suspend_data)
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
                click.echo(str(problem), err=True)
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
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(summary(before, after, changes), indent=2, ensure_ascii=False))
    else:
        for line in render_text(before, after, changes):
            click.echo(line)
    if any(change.affects_progress for change in changes):
        sys.exit(1)


def _size(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def _table(ctx: Context, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        ctx.say("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
