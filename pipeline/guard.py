"""What every build does before and after its steps, wherever it runs (CLI, deployment, tests).

Kept apart from the flow's wiring: the input folder is checked, and the output
is locked, recovered and cleaned (``publish.output_lock``) for the whole build.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pipeline.ingest import check_input_folder
from pipeline.publish import output_lock

F = TypeVar("F", bound=Callable[..., Any])


def guarded_build(fn: F) -> F:
    """Wrap a build function taking ``input_dir`` and ``output``: refuse a bad input folder at once and
    hold the output's lock from start to publish (a second build into the same output fails)."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        check_input_folder(Path(bound.arguments["input_dir"]))
        with output_lock(Path(bound.arguments["output"])):
            return fn(*bound.args, **bound.kwargs)

    return wrapper  # type: ignore[return-value]
