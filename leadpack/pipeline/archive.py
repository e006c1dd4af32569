"""Deterministic, atomic zip writing: same files in, same bytes out; a failed write leaves dist/ as it was."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
import zipfile
from pathlib import Path

FIXED_TIME = (2000, 1, 1, 0, 0, 0)
FILE_MODE = 0o644 << 16


def write_files_atomically(files: list[tuple[Path, bytes]]) -> None:
    """Write every file or none: each goes to a temporary file first (a full disk fails here, before anything
    is replaced), then all are renamed into place together with Ctrl-C and SIGTERM held back, so an interrupted
    or failed build leaves the previous files exactly as they were."""
    temporaries: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            temporaries.append((_write_temporary(path, data), path))
        with _signals_held():
            for temporary, path in temporaries:
                os.replace(temporary, path)
    finally:
        for temporary, _ in temporaries:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


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
