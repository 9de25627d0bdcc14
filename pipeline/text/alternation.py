"""Regular-expression alternations of many literal words, shaped as a trie.

Python's ``re`` tries the alternatives of ``(?:Ecuador|Ecuadorian|El Oro|...)``
one after the other at every position, which costs a comparison per name and
position with hundreds of names.  Nested by shared prefixes
(``E(?:cuador(?:ian)?|l Oro)``) only the few names that share the text's first
letters are tried.

The trie matches exactly what the flat alternation sorted longest first
matches, backtracking included: at one position the words that fit the text
are prefixes of one another, and the trie, like that alternation, offers them
longest first.  That holds for case-sensitive patterns only (under IGNORECASE
two branches of the trie could fit the same text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = ""  # trie key marking that a word ends at this node


def literal_alternation(words: Iterable[str], after_first: str = "") -> str:
    """A regex matching any of ``words`` literally, longest first (for case-sensitive patterns).

    ``after_first`` is put after the first character of every word, such as a look-behind about what
    precedes the word: then every branch opens with a literal, and re skips the positions whose
    character opens no word without trying the pattern there.
    """
    root: dict[str, dict] = {}
    for word in words:
        if not word:
            raise ValueError("an empty word would match everywhere")
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[_END] = {}
    return "(?:" + _branches(root, after_first) + ")"


def _branches(node: dict[str, dict], after_first: str = "") -> str:
    alts = [re.escape(ch) + after_first + _branches(child) for ch, child in sorted(node.items()) if ch != _END]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    # A word ending here: a longer one is tried first (greedy), as in the longest-first alternation.
    return f"(?:{body})?" if _END in node else body
