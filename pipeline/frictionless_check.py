"""``frictionless validate`` on a package folder, in a module of its own: it imports nothing of the
pipeline but frictionless, so that the child process that runs it beside the other checks
(``quality.frictionless_beside``) starts fast and small."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def check_frictionless(root: Path) -> list[str]:
    """``frictionless validate`` on the package: schemas, types, constraints, keys of the CSV resources."""
    import requests
    from frictionless import Package, system

    # Untrusted: frictionless refuses unsafe paths itself; and a session that refuses every request
    # makes sure nothing is fetched, whatever a descriptor names (check_descriptor refused URLs first).
    offline = requests.Session()
    offline.mount("http://", _NoNetwork())
    offline.mount("https://", _NoNetwork())
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    with system.use_context(trusted=False, http_session=offline):
        report = Package(descriptor, basepath=str(root)).validate()
    out = []
    for task in report.tasks:
        for err in task.errors:
            row = getattr(err, "row_number", None)
            where = f" row {row}" if row else ""
            out.append(f"resource {task.name}{where}: frictionless {err.type}: {err.message}")
    for err in report.errors:
        out.append(f"package: frictionless {err.type}: {err.message}")
    return out


class _NoNetwork:
    """A requests transport adapter that refuses every request (validate never uses the network)."""

    def send(self, request: Any, **kwargs: Any) -> Any:
        import requests

        raise requests.ConnectionError(f"refused: validate does not fetch {request.url}")

    def close(self) -> None:
        pass


def child_main(root: str) -> None:
    """The child's side of ``quality.frictionless_beside``: the messages, as JSON, on stdout."""
    sys.stdout.write(json.dumps(check_frictionless(Path(root))))
