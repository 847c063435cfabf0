"""Regular expressions a user configures: compiled safely, and refused when they cannot be
matched in linear time.

Regexes in ``origins``, ``allow_headers`` and ``resources`` are matched against values a client
chooses (``Origin``, ``Access-Control-Request-Headers``, the path). Two things are checked here,
once, at configuration time:

- :func:`compile_user_regex`: compile, turning every way the ``re`` module can refuse a pattern
  (``re.error``, ``OverflowError`` for a huge repeat count, ``RecursionError`` for deep
  nesting, a misplaced global flag) into one message (SPEC section 2).
- :func:`user_regex`: the regex must have a translation for the linear-time engine
  (:mod:`~flask_crossorigin.engine`), which alone matches it against request values (SPEC
  section 5: time linear in the value). Lookarounds, backreferences and conditionals have none,
  and are refused with a rewrite.
"""

from __future__ import annotations

import re
import warnings
from typing import Optional, Union

from .engine import compile_check, translate
from .errors import Problems

# A POSIX character class (``[:alpha:]``), which Python's ``re`` reads as a set of letters.
_POSIX_CLASS = re.compile(
    r"(?<!\\)\[:(alnum|alpha|ascii|blank|cntrl|digit|graph|lower|print|punct|space|upper|word"
    r"|xdigit):\]"
)
_POSIX_REWRITES = {
    "alnum": "[a-zA-Z0-9]",
    "alpha": "[a-zA-Z]",
    "digit": "[0-9]",
    "lower": "[a-z]",
    "upper": "[A-Z]",
    "xdigit": "[0-9a-fA-F]",
    "space": "\\s",
    "word": "\\w",
}


def compile_user_regex(text: str, flags: int = 0) -> Union[re.Pattern[str], str]:
    """``re.compile(text, flags)``, or the reason the ``re`` module refuses it (a ``str``).

    A global inline flag after the start (``a(?i)b``) is refused on every Python version
    (3.11 refuses it, earlier versions only warn), and so is what ``re`` warns may change
    meaning (``FutureWarning``: ``[[``, ``--``, ``&&``, ``||`` in a set), whatever the warning
    filters. A POSIX class such as ``[[:alpha:]]`` is refused with the Python spelling
    (``[a-zA-Z]``): ``re`` would read it as a set of the letters ``:alph``.
    """
    posix = _POSIX_CLASS.search(text)
    if posix is not None:
        rewrite = _POSIX_REWRITES.get(posix.group(1), "a set such as [a-zA-Z]")
        found = posix.group()
        return f"uses the POSIX class {found}, which is not Python regex syntax: write {rewrite}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            warnings.simplefilter("error", FutureWarning)
            return re.compile(text, flags)
    except (re.error, OverflowError, RecursionError, ValueError, DeprecationWarning) as exc:
        return str(exc) or type(exc).__name__
    except FutureWarning as exc:
        return f"{exc}; escape a literal '[' as '\\[' and write '-', '&', '|' or '~' once"


def user_regex(
    option: str,
    shown: object,
    text: str,
    flags: int,
    problems: Problems,
    fix: str,
    index: Optional[int] = None,
) -> Optional[re.Pattern[str]]:
    """Compile a regex from the configuration; ``None`` after a problem added to ``problems``
    (shown as ``shown``, the value as the user wrote it): one the ``re`` module refuses, or one
    the linear-time engine cannot match (SPEC sections 2 and 5), with the reason and a
    rewrite."""
    compiled = compile_user_regex(text, flags)
    if isinstance(compiled, str):
        problems.add(option, shown, f"is not a valid regular expression ({compiled})", fix, index)
        return None
    linear = translate(compiled, whole=False)
    if isinstance(linear, str):
        refused = compile_check(linear)
        if refused is None:
            return compiled
        reason = f"is too large to match in linear time ({refused})"
        rewrite = "use fewer or smaller counted repeats ({m,n}), or '+' / '*'"
    else:
        reason, rewrite = linear.reason, linear.fix
    problems.add(
        option,
        shown,
        f"{reason}; every configured regex is matched against request values in time "
        "linear in their length",
        rewrite,
        index,
    )
    return None
