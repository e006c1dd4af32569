"""Run Ralph's LRS API (``ralph.api:app``) under uvicorn -- started by ``tests/support/ralph.py``.

Not a test module and not meant to be run by hand: the parent process sets every ``RALPH_*``
environment variable (backend, data directory, auth file, CORS origins) before starting it.
"""

from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args()

    # Workaround for a Ralph 5.1 bug: the filesystem LRS backend writes every POST/PUT batch to
    # the same file (fs_lrs.jsonl) with its default operation type CREATE, which refuses an existing
    # file, so every statement write after the first one answers 500 "Statements bulk indexation
    # failed". Switching the backend's default operation to APPEND before Ralph's app (and its
    # module-level BACKEND_CLIENT) is imported makes it append one JSON line per statement, which
    # is what the backend's reader expects.
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend

    FSLRSBackend.default_operation_type = BaseOperationType.APPEND

    # Second Ralph 5.1 fs-backend bug: GET /statements coerces `verb` and `activity` to Ralph's
    # `IRI` pydantic RootModel, and the fs backend compares that object with the plain strings in
    # the stored statements (`"https://..." == IRI(...)` is always False), so `?verb=` and
    # `?activity=` filters never match anything. Hand the fs filters plain strings.
    orig_verb = FSLRSBackend._add_filter_by_verb
    orig_activity = FSLRSBackend._add_filter_by_activity

    def _add_filter_by_verb(filters, verb_id):
        return orig_verb(filters, None if verb_id is None else str(verb_id))

    def _add_filter_by_activity(filters, object_id, related):
        return orig_activity(filters, None if object_id is None else str(object_id), related)

    FSLRSBackend._add_filter_by_verb = staticmethod(_add_filter_by_verb)
    FSLRSBackend._add_filter_by_activity = staticmethod(_add_filter_by_activity)

    import uvicorn

    uvicorn.run(
        "ralph.api:app",
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=True,
        lifespan="off",
    )


if __name__ == "__main__":
    main()
