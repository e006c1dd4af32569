"""Deterministic, atomic zip writing: same files in, same bytes out; a failed write leaves dist/ as it was."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import tempfile
import threading
import zipfile
from pathlib import Path

from leadpack.errors import display_path

FIXED_TIME = (2000, 1, 1, 0, 0, 0)
FILE_MODE = 0o644 << 16


def write_files_atomically(files: list[tuple[Path, bytes]]) -> None:
    """Write every file or none. Every target is checked first (a folder in its way, a file where its folder
    belongs, a folder leadpack may not write to); each file goes to a temporary file beside its target (a full
    disk fails here, before anything is replaced); then all are renamed into place together, with Ctrl-C and
    SIGTERM held back, and a rename that fails part-way puts back every file already replaced. Errors name the
    real output file, never a temporary one."""
    for path, _ in files:
        _check_target(path)
    temporaries: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            temporaries.append((_write_temporary(path, data), path))
        with _signals_held():
            _swap_in(temporaries)
    finally:
        for temporary, _ in temporaries:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def _check_target(path: Path) -> None:
    """Raise (naming ``path``) when a file cannot be put at ``path``; nothing is written by the check."""
    if os.path.isdir(path) and not os.path.islink(path):
        raise OSError(errno.EISDIR, "a folder of that name is in the way", str(path))
    folder = path.parent
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    if not os.path.isdir(folder):
        raise OSError(errno.ENOTDIR, f"{display_path(folder)} is a file, where a folder belongs", str(path))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OSError(errno.EACCES, f"leadpack may not write in {display_path(folder)}", str(path))


def _swap_in(temporaries: list[tuple[str, Path]]) -> None:
    """Rename each temporary file over its target, keeping each file it replaces under a backup name until all
    are in place; on a failure, put every replaced file back (and remove the new files that had no old one)."""
    done: list[tuple[Path, str | None]] = []  # (target, the backup of the file it replaced, or None)
    path = Path()
    try:
        for temporary, path in temporaries:
            backup = _backup(path) if os.path.lexists(path) else None
            done.append((path, backup))
            os.replace(temporary, path)
    except BaseException as exc:
        _restore(done)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    for _, backup in done:
        if backup is not None:
            with contextlib.suppress(OSError):
                os.unlink(backup)


def _backup(path: Path) -> str:
    """Move the file at ``path`` aside, under a new hidden name beside it; return that name."""
    handle, backup = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent)
    os.close(handle)
    try:
        os.replace(path, backup)
    except BaseException:
        os.unlink(backup)
        raise
    return backup


def _restore(done: list[tuple[Path, str | None]]) -> None:
    """Undo ``_swap_in`` as far as it went, newest first."""
    for path, backup in reversed(done):
        with contextlib.suppress(OSError):
            if backup is not None:
                os.replace(backup, path)
            elif os.path.lexists(path):
                os.unlink(path)


def _write_temporary(path: Path, data: bytes) -> str:
    """Write ``data`` beside ``path`` under a temporary name; a failure names ``path`` and leaves nothing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
    return temporary


@contextlib.contextmanager
def _signals_held():
    """Defer SIGINT and SIGTERM (delivered on exit) while files are renamed, so no interruption splits them."""
    held = {signal.SIGINT, signal.SIGTERM}
    can_hold = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held) if can_hold else None
    try:
        yield
    finally:
        if can_hold:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_zip(stream, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = FILE_MODE
            info.create_system = 3
            archive.writestr(info, files[name])
