"""``leadpack new``: a small working course, or one more set in an existing course.

The starter files beside this module (``starter/``) are the course as an author first meets it; ``${...}`` in
its TOML files is filled in. Nothing is ever overwritten: every target is checked before the first file is
written, and ``open(..., "xb")`` refuses a file that appeared in between.
"""

from __future__ import annotations

import json
import re
import string
import tomllib
from pathlib import Path

from leadpack import formats
from leadpack.errors import LeadpackError, display_path
from leadpack.pipeline import model
from leadpack.pipeline.config import CONFIG_NAME
from leadpack.pipeline.load import CONTENT_DIR

STARTER = Path(__file__).resolve().parent / "starter"
FIRST_SET = "first-set"
SERIES_HEADER = re.compile(r"^[ \t]*\[series\][ \t]*(?:#.*)?$", re.M)
SETS_ARRAY = re.compile(r"^[ \t]*sets[ \t]*=[ \t]*\[(?P<items>[^\]]*)\]", re.M)


def new_course(folder: Path, set_id: str = FIRST_SET) -> list[Path]:
    """Write leadpack.toml and one set that builds and passes ``leadpack check`` as it is."""
    values = _values(set_id, _title(folder.resolve().name) or "My course")
    files = {folder / CONFIG_NAME: _fill(STARTER / CONFIG_NAME, values)}
    files.update(_set_files(folder, set_id, values))
    _write_new(files)
    return list(files)


def new_set(root: Path, set_id: str) -> tuple[list[Path], str]:
    """Add a set to the course in ``root``, and to the end of leadpack.toml's ``sets`` when it has that order.

    Returns the files written and a note on the order, for the author.
    """
    config = root / CONFIG_NAME
    files = _set_files(root, set_id, _values(set_id, ""))
    order, ordered = _with_set_listed(config, set_id)
    _write_new(files)
    if ordered is not None:
        config.write_bytes(ordered.encode("utf-8"))
        return [*files, config], f"listed last in sets in {display_path(config)}"
    if order is None:
        return list(files), f"{display_path(config)} lists no sets order, so sets are built in folder-name order"
    return list(files), f"already in sets in {display_path(config)}"


def _values(set_id: str, series_title: str) -> dict[str, str]:
    """What fills the starter's ``${...}``: TOML strings written as JSON strings, which TOML reads alike."""
    return {"set_id": set_id, "set_title": json.dumps(_title(set_id) or set_id, ensure_ascii=False),
            "series_title": json.dumps(series_title, ensure_ascii=False),
            "formats": json.dumps(list(formats.DEFAULT))}


def _title(name: str) -> str:
    """A folder or set name as a title: 'leading-for-change' → 'Leading for change'."""
    return re.sub(r"[-_\s]+", " ", name).strip().capitalize()


def _fill(path: Path, values: dict[str, str]) -> bytes:
    return string.Template(path.read_text("utf-8")).substitute(values).encode("utf-8")


def _set_files(root: Path, set_id: str, values: dict[str, str]) -> dict[Path, bytes]:
    content = root / CONTENT_DIR
    clash = next((folder for folder in sorted(content.iterdir()) if model.slugify(folder.name) == set_id), None) \
        if content.is_dir() else None
    if clash is not None:
        raise LeadpackError(f"the set '{set_id}' already exists ({display_path(clash)}); nothing was written "
                            "(choose another id with --set)")
    source, target = STARTER / "set", content / set_id
    return {target / path.relative_to(source): _fill(path, values) if path.suffix == ".toml" else path.read_bytes()
            for path in sorted(source.rglob("*")) if path.is_file()}


def _write_new(files: dict[Path, bytes]) -> None:
    existing = [path for path in files if path.exists() or path.is_symlink()]
    if existing:
        raise LeadpackError(", ".join(map(display_path, existing)) + (" already exists" if len(existing) == 1
                            else " already exist") + "; nothing was written (leadpack new never overwrites a file)")
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as stream:
            stream.write(data)


def _with_set_listed(config: Path, set_id: str) -> tuple[list[str] | None, str | None]:
    """The ``sets`` order, and leadpack.toml's text with ``set_id`` added at its end (None when there is no order
    or the id is in it already). Comments and layout are kept; the edit is read back to prove it."""
    text = config.read_bytes().decode("utf-8")
    order = _set_order(config, text)
    if order is None or set_id in order:
        return order, None
    header = SERIES_HEADER.search(text)
    found = SETS_ARRAY.search(text, header.end()) if header else None
    edited = text[:found.start("items")] + _append(found["items"], set_id) + text[found.end("items"):] \
        if found else ""
    if not found or _set_order(config, edited) != [*order, set_id]:
        raise LeadpackError(f"{display_path(config)}: cannot add '{set_id}' to sets for you; nothing was written "
                            f"(add \"{set_id}\" to sets by hand, or remove sets to build in folder order)")
    return order, edited


def _set_order(config: Path, text: str) -> list[str] | None:
    try:
        sets = tomllib.loads(text.removeprefix("\ufeff")).get("series", {}).get("sets")
    except tomllib.TOMLDecodeError as exc:
        raise LeadpackError(f"{display_path(config)}: {exc}; nothing was written (run leadpack check)") from None
    return list(sets) if isinstance(sets, list) else None


def _append(items: str, set_id: str) -> str:
    """The inside of a TOML array with one more string, after the last one: on a line of its own (with the
    same indent and trailing comma) when the array spans lines. Ids hold no '#', so one starts a comment."""
    lines = items.split("\n")
    code = [re.sub(r"#.*", "", line).rstrip() for line in lines]
    filled = [index for index, text in enumerate(code) if text.strip()]
    if not filled:
        return items.rstrip() + (f'\n  "{set_id}"\n' if len(lines) > 1 else f'"{set_id}"')
    index = filled[-1]
    last, rest = code[index], lines[index][len(code[index]):]
    trailing = last.endswith(",")
    if len(lines) == 1:
        return last + ("" if trailing else ",") + f' "{set_id}"' + rest
    lines[index] = last + ("" if trailing else ",") + rest
    indent = last[:len(last) - len(last.lstrip())]
    lines.insert(index + 1, f'{indent}"{set_id}"' + ("," if trailing else ""))
    return "\n".join(lines)
