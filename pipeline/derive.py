"""Cross-source tables, computed once from the screened rows of every article.

Extraction reads one article at a time; what relates articles to each other (the same quantity stated
by several sources, the same real event reported several times, the same entity named differently)
is only known once all rows are in. Each step here is a pure function of the tables it is given:
same rows in, same rows out, whatever the order the articles were extracted in.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow

from pipeline.claims import claims_step
from pipeline.clusters import clusters_step
from pipeline.entities import entities_step

Step = Callable[[dict[str, pyarrow.Table]], dict[str, pyarrow.Table]]

# Each step returns the tables it adds or replaces (a derived table, or an extracted table with a
# derived column); later steps see what earlier ones returned.
STEPS: tuple[Step, ...] = (claims_step, clusters_step, entities_step)


def derive_tables(tables: dict[str, pyarrow.Table]) -> dict[str, pyarrow.Table]:
    """The screened tables plus every cross-source table (``tables`` itself is left unchanged)."""
    out = dict(tables)
    for step in STEPS:
        out.update(step(out))
    return out
