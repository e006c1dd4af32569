"""Issue 14 acceptance, packages and saved states: validate, diff, explain (and preview's unpacking) read every zip
through one bounded reader, and crafted packages, launch data and saved states give one clear line, never a
traceback. Families of generated zips, launch data and states, and properties over arbitrary ones."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadpack.formats.package import MAX_MEMBER, PackageError, ZipPackage
from leadpack.pipeline import limits
from leadpack.pipeline.runtime_data import JSON_NAMES, LATER_KEYS, NESTED, RuntimeData
from tests.conftest import REPO, run_cli

DATA = re.compile(r'(<script type="application/json" id="lp-data">)(.*?)(</script>)', re.S)
SOME = settings(max_examples=50, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def package(fixture_build) -> Path:
    return fixture_build["set"]["scorm12"]


@pytest.fixture(scope="module")
def members(package) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(path: Path, files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are part of what is generated
        with zipfile.ZipFile(path, "w", compression=compression) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
    return path


def claim(path: Path, name: str, size: int) -> None:
    """Rewrite the central directory so that member ``name`` claims to unpack to ``size`` bytes."""
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46:entry + 46 + name_length].decode() == name:
            break
        entry = data.index(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, size)
    path.write_bytes(bytes(data))


def commands(path: Path, state: str = '{"v":1}', other: Path | None = None) -> dict[str, object]:
    """validate, diff (both ways against ``other``), explain --package and release (``path`` in the new release
    folder as the package ``other`` was in the old) on ``path``; each result."""
    results = {"validate": run_cli("validate", path), "explain": run_cli("explain", state, "--package", path)}
    if other is not None:
        results["diff old"] = run_cli("diff", path, other)
        results["diff new"] = run_cli("diff", other, path)
        releases = Path(tempfile.mkdtemp(dir=path.parent))
        (releases / "old").mkdir()
        (releases / "new").mkdir()
        shutil.copy(other, releases / "old" / other.name)
        shutil.copy(path, releases / "new" / other.name)
        results["release"] = run_cli("release", releases / "old", releases / "new", "--out", releases / "notes")
    return results


def one_clear_line(result, codes: tuple[int, ...] = (1,)) -> str:
    assert result.exit_code in codes, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1, lines
    return lines[0]


# 5. One bounded zip reader: bombs and damage, in every command ------------------------------------------------

def claims_gigabytes(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = write_zip(tmp_path / "claims.zip", members)
    claim(path, "index.html", 3_000_000_000)
    return path


def unpacks_to_hundreds_of_megabytes(tmp_path: Path, members: dict[str, bytes]) -> Path:
    """A real deflate stream of 150 MB of zeros: a few hundred kilobytes of zip."""
    path = tmp_path / "zeros.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name != "index.html":
                archive.writestr(name, data)
        with archive.open("index.html", "w") as stream:
            chunk = bytes(1 << 20)
            for _ in range(150):
                stream.write(chunk)
    assert path.stat().st_size < 1_000_000
    return path


def unpacks_beyond_its_header(tmp_path: Path, members: dict[str, bytes]) -> Path:
    """index.html says it is 1,000 bytes; its data unpacks to 20 MB."""
    path = write_zip(tmp_path / "lying.zip", {**members, "index.html": bytes(20_000_000)})
    claim(path, "index.html", 1_000)
    return path


BOMBS = {"claims gigabytes": claims_gigabytes, "unpacks to 150 MB": unpacks_to_hundreds_of_megabytes,
         "unpacks beyond its header": unpacks_beyond_its_header}


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_a_small_zip_that_would_unpack_to_far_more_is_refused_by_every_command(tmp_path, package, members, bomb):
    path = BOMBS[bomb](tmp_path, members)
    results = commands(path, other=package)
    validate = results["validate"]
    assert validate.exit_code == 1 and "Traceback" not in validate.output
    assert re.search(r"zip bomb|damaged", validate.stderr), validate.stderr
    assert re.search(r"zip bomb|damaged|unpacks to more", one_clear_line(results["explain"]))
    for command in ("diff old", "diff new", "release"):
        assert re.search(r"zip bomb|damaged|unpacks to more", one_clear_line(results[command], (2,)))
    with ZipPackage(path) as archive, pytest.raises(PackageError):
        archive.extract(tmp_path / "unpacked")  # what preview unpacks through


def test_no_member_is_read_past_the_member_limit(tmp_path, members):
    path = write_zip(tmp_path / "big.zip", {**members, "index.html": bytes(MAX_MEMBER + 1)})
    with ZipPackage(path) as archive, pytest.raises(PackageError, match="reads members of at most"):
        archive.read("index.html")


@pytest.mark.parametrize("member", ["imsmanifest.xml", "index.html", "assets/lp-core.js"])
def test_a_damaged_member_is_named_by_validate_and_refused_by_diff_and_explain(tmp_path, package, members, member):
    """A byte of the member's compressed data changed: a checksum or zlib error, never a traceback."""
    path = write_zip(tmp_path / "damaged.zip", members)
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + info.compress_size // 3, start + info.compress_size // 3 + 4):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    results = commands(path, other=package)
    assert f"zip entry '{member}' is damaged" in results["validate"].stderr
    assert results["validate"].exit_code == 1 and "Traceback" not in results["validate"].output
    if member != "assets/lp-core.js":  # diff and release read the manifest and launch pages, explain the pages
        assert "damaged" in one_clear_line(results["diff old"], (2,))
        assert "damaged" in one_clear_line(results["release"], (2,))
    if member == "index.html":
        assert "damaged" in one_clear_line(results["explain"])


# 7. Entry names over 255 bytes -----------------------------------------------------------------------------------

@pytest.mark.parametrize("letter", ["a", "ŵ", "📘"], ids=["ascii", "two-byte", "four-byte"])
@pytest.mark.parametrize("extra", [0, 1])
def test_validate_flags_entry_names_over_255_bytes_in_any_package(tmp_path, members, letter, extra):
    size = limits.MAX_ENTRY_BYTES + extra
    stem = letter * ((size - len("media/.txt")) // len(letter.encode()))
    name = "media/" + stem + "x" * (size - len(f"media/{stem}.txt".encode())) + ".txt"
    assert len(name.encode()) == size
    path = write_zip(tmp_path / "long.zip", {**members, name: b"notes"})
    result = run_cli("validate", path)
    flagged = [line for line in result.stderr.splitlines() if "bytes; file systems and learning platforms" in line]
    assert bool(flagged) == bool(extra) and result.exit_code == (1 if extra else 0), result.stderr


# 4. Crafted launch data: wrong types, missing fields, deep nesting, bad text ---------------------------------------

def launch_data(members: dict[str, bytes]) -> dict:
    return json.loads(DATA.search(members["index.html"].decode()).group(2))


def with_launch_data(tmp_path: Path, members: dict[str, bytes], text: str | bytes) -> Path:
    page = members["index.html"]
    found = DATA.search(page.decode())
    body = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    start, end = (len(page.decode()[:found.start(2)].encode()), len(page.decode()[:found.end(2)].encode()))
    return write_zip(tmp_path / "crafted.zip", {**members, "index.html": page[:start] + body + page[end:]})


def field_paths(data: dict) -> list[tuple]:
    """Every field of the launch data, nested fields too (the first item of each list stands for the rest)."""
    paths = []
    for key, value in data.items():
        paths.append((key,))
        inner = value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else value
        if isinstance(inner, dict) and key != "strings":
            prefix = (key, 0) if isinstance(value, list) else (key,)
            paths += [(*prefix, name) for name in inner]
    return paths


def wrong_type(value: object) -> object:
    return {str: 1, int: "1", bool: "true", list: {}, dict: [], type(None): []}.get(type(value))


def changed(data: dict, path: tuple, action: str) -> dict:
    data = json.loads(json.dumps(data))
    holder = data
    for key in path[:-1]:
        holder = holder[key]
    if action == "missing":
        del holder[path[-1]]
    else:
        holder[path[-1]] = wrong_type(holder[path[-1]])
    return data


@pytest.fixture(scope="module")
def crafted_cases(members) -> list[tuple[str, str]]:
    data = launch_data(members)
    optional = {JSON_NAMES.get(f.name, f.name) for kind in (RuntimeData, *NESTED.values())
                for f in dataclasses.fields(kind) if f.default is not dataclasses.MISSING}  # absent from older packages
    optional |= {key for keys in LATER_KEYS.values() for key in keys}
    cases = [(f"{'.'.join(map(str, path))} {action}", json.dumps(changed(data, path, action)))
             for path in field_paths(data) for action in ("missing", "wrong type")
             if not (action == "missing" and path[-1] in optional)]
    cases += [("nested 100,000 deep", "[" * 100_000 + "]" * 100_000), ("not JSON", "{'set': "),
              ("a list", "[]"), ("a number", "7")]
    return cases


def test_crafted_launch_data_gives_explain_one_line_and_diff_cannot_compare(tmp_path, package, members,
                                                                             crafted_cases):
    assert len(crafted_cases) > 60
    for label, text in crafted_cases:
        path = with_launch_data(tmp_path, members, text)
        message = one_clear_line(run_cli("explain", '{"v":1}', "--package", path))
        assert "runtime data" in message, (label, message)
        assert "runtime data" in one_clear_line(run_cli("diff", package, path), (2,)), label


@pytest.mark.parametrize(("label", "text"), [
    ("unpaired surrogate in a title", "surrogate"),
    ("bytes that are not UTF-8", b"\xff\xfe{\x80}"),
])
def test_launch_data_that_is_not_text_gives_one_line_when_printed_for_real(tmp_path, package, members, label, text):
    """Run as a real process: its standard output refuses what no terminal can print (the test runner's does
    not)."""
    if text == "surrogate":
        data = launch_data(members)
        data["set"]["title"] = "T\ud800"
        data["pages"][0]["title"] = "P\udfff"
        text = json.dumps(data)
    path = with_launch_data(tmp_path, members, text)
    environment = dict(os.environ, PYTHONPATH=str(REPO))
    for arguments, codes in ((["diff", str(package), str(path)], (2,)), (["diff", "--json", str(package), str(path)],
                             (2,)), (["explain", '{"v":1}', "--package", str(path)], (1,))):
        result = subprocess.run([sys.executable, "-m", "leadpack", *arguments], capture_output=True,
                                env=environment, timeout=120)
        stderr = result.stderr.decode("utf-8", "replace")
        assert result.returncode in codes and "Traceback" not in stderr, (label, arguments, stderr)
        assert len(stderr.splitlines()) == 1, stderr


# 4. Crafted saved states -------------------------------------------------------------------------------------------

STATES = {
    "version as text": '{"v":"1"}', "version true": '{"v":true}', "version NaN": '{"v":NaN}',
    "version huge": '{"v":1' + "0" * 5000 + "}", "bookmark a number": '{"v":1,"l":5}',
    "bookmark not a key": '{"v":1,"l":"../../"}', "pages a list": '{"v":1,"p":["abcde"]}',
    "pages odd length": '{"v":1,"p":"abcd"}', "answers a list": '{"v":1,"a":[]}',
    "answer a number": '{"v":1,"a":{"abcde":1}}', "answer letters out of range": '{"v":1,"a":{"abcde":"z"}}',
    "reflections text a list": '{"v":1,"r":{"abcde":[]}}', "finished odd": '{"v":1,"d":"x"}',
    "unknown field": '{"v":1,"zz":1}', "nested 100,000 deep": "[" * 100_000 + "]" * 100_000,
    "nested object": '{"v":1,"r":' + '{"a":' * 3000 + "1" + "}" * 3000 + "}", "empty": "",
    "not JSON": "{v:1}", "surrogate escape": '{"v":1,"r":{"abcde":"\\ud800"}}', "a list": "[1]",
    "null": "null", "html escaped junk": "&quot;&quot;&quot;",
}


@pytest.mark.parametrize("with_package", [False, True], ids=["alone", "with-package"])
@pytest.mark.parametrize("label", sorted(STATES))
def test_a_crafted_saved_state_gives_one_clear_line(package, label, with_package):
    result = run_cli("explain", STATES[label], *(["--package", package] if with_package else []))
    one_clear_line(result)


def test_a_saved_state_with_bytes_that_are_not_utf8_gives_one_line(package):
    """Non-UTF-8 bytes on the command line reach Python as surrogate escapes; printing one would crash."""
    argument = '{"v":1,"r":{"abcde":"\udcff\udcfe"}}'.encode("utf-8", "surrogateescape")
    result = subprocess.run([sys.executable, "-m", "leadpack", "explain", "--json", argument],
                            capture_output=True, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 1 and "Traceback" not in stderr and len(stderr.splitlines()) == 1, stderr


# Properties: arbitrary zips, launch data and states never raise anything but leadpack's own errors ----------------

NAMES = st.one_of(st.sampled_from(["index.html", "imsmanifest.xml", "tincan.xml", "first-steps.html", "a/b.txt",
                                   "../evil", "/abs", "C:/x", "dir/", "a\\b", "x" * 300, "ŵ.html", "\x01",
                                   "assets/lp-core.js"]),
                  st.text(min_size=1, max_size=12))
PAYLOADS = st.one_of(st.binary(max_size=200), st.sampled_from([
    b"<?xml version='1.0'?><manifest xmlns='http://www.imsproject.org/xsd/imscp_rootv1p1p2'/>",
    b"<tincan xmlns='http://projecttincan.com/tincan.xsd'><activities><activity id='x'><launch>../x</launch>"
    b"</activity></activities></tincan>", b'<script id="lp-data">{"format":1}</script>',
    b"<!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;'>]><x>&b;</x>", b"<" * 2000]))


@SOME
@given(entries=st.lists(st.tuples(NAMES, PAYLOADS), max_size=6), keep=st.booleans(),
       stored=st.booleans(), damage=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=4),
       truncate=st.one_of(st.none(), st.floats(0, 1)))
def test_arbitrary_zips_never_crash_validate_diff_or_explain(package, members, entries, keep, stored, damage,
                                                             truncate):
    with tempfile.TemporaryDirectory() as folder:
        files = dict(members) if keep else {}
        files.update(dict(entries))
        path = write_zip(Path(folder) / "any.zip", files, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
        data = bytearray(path.read_bytes())
        for where, value in damage:
            data[min(int(where * len(data)), len(data) - 1)] = value
        if truncate is not None:
            data = data[:int(truncate * len(data))]
        path.write_bytes(bytes(data))
        results = commands(path, other=package)  # anything but a leadpack error propagates and fails the test
        allowed = {"validate": (0, 1), "explain": (0, 1), "diff old": (0, 1, 2), "diff new": (0, 1, 2),
                   "release": (0, 1, 2)}
        for name, result in results.items():
            assert result.exit_code in allowed[name] and "Traceback" not in result.output, (name, result.output)


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10, 10**20), st.floats(allow_nan=False),
              st.text(max_size=6), st.sampled_from(["abcde", "0abcd", "ab", "c", "p", "f", "\ud800"])),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.sampled_from(["v", "l", "p", "a", "r", "d", "x", "abcde"]),
                                               children, max_size=4)),
    max_leaves=15)


@SOME
@given(state=JSON_VALUES, wrapped=st.booleans(), with_package=st.booleans())
def test_arbitrary_saved_states_never_crash_explain(package, state, wrapped, with_package):
    text = json.dumps({"state": json.dumps(state)} if wrapped else state)
    result = run_cli("explain", text, *(["--package", package] if with_package else []))
    assert result.exit_code in (0, 1) and "Traceback" not in result.output


@SOME
@given(replacements=st.lists(st.tuples(st.integers(0, 10**6), JSON_VALUES), min_size=1, max_size=4),
       state=st.sampled_from(['{"v":1}', '{"v":1,"p":"abcde"}']))
def test_arbitrary_launch_data_never_crashes_explain_or_diff(package, members, replacements, state):
    """Values anywhere in the real launch data replaced by arbitrary JSON."""
    data = launch_data(members)
    spots = []
    pending = [data]
    while pending:
        holder = pending.pop()
        keys = list(holder) if isinstance(holder, dict) else range(len(holder))
        for key in keys:
            spots.append((holder, key))
            if isinstance(holder[key], dict | list):
                pending.append(holder[key])
    for where, value in replacements:
        holder, key = spots[where % len(spots)]
        holder[key] = value
    with tempfile.TemporaryDirectory() as folder:
        path = with_launch_data(Path(folder), members, json.dumps(data))
        explained = run_cli("explain", state, "--package", path)
        assert explained.exit_code in (0, 1) and "Traceback" not in explained.output
        compared = run_cli("diff", package, path)
        assert compared.exit_code in (0, 1, 2) and "Traceback" not in compared.output


def test_the_claim_helper_changes_only_the_size_the_reader_sees(members):
    with tempfile.TemporaryDirectory() as folder:
        path = write_zip(Path(folder) / "x.zip", members)
        claim(path, "index.html", 12345)
        with zipfile.ZipFile(path) as archive:
            assert archive.getinfo("index.html").file_size == 12345
            assert archive.getinfo("imsmanifest.xml").file_size == len(members["imsmanifest.xml"])
            assert set(archive.namelist()) == set(members)
