"""Explanations: which option a refusal points at, its current value, and where it was set.

Used by the debug warnings and the CLI, so that both name the same fix. No Flask here.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from .decision import Reason
from .options import OPTIONS, Resource
from .origins import OriginEntry
from .policy import Policy

#: The option each refusal reason points at.
REASON_OPTION = {
    Reason.ORIGIN_NOT_ALLOWED: "origins",
    Reason.ORIGIN_CHECK_FAILED: "origins",
    Reason.METHOD_NOT_ALLOWED: "methods",
    Reason.HEADER_NOT_ALLOWED: "allow_headers",
    Reason.PRIVATE_NETWORK_NOT_ALLOWED: "allow_private_network",
    Reason.CREDENTIALS_NOT_ALLOWED: "supports_credentials",
    Reason.NOT_COVERED: "resources",
}


def display(value: Any) -> Any:
    """A parsed option value as plain data (str, int, bool, None, lists)."""
    if isinstance(value, OriginEntry):
        return value.text
    if isinstance(value, Resource):
        return value.key
    if isinstance(value, re.Pattern):
        return value.pattern
    if isinstance(value, (tuple, list)):
        return [display(v) for v in value]
    return value


def option_values(policy: Policy) -> dict[str, tuple[Any, str]]:
    """Every option of a policy (but ``resources``): its value as plain data and its source."""
    return {
        o.name: (display(policy.settings[o.name]), policy.sources.get(o.name, "default"))
        for o in OPTIONS
        if o.name != "resources" and o.name in policy.settings
    }


def fix(reason: Reason, policy: Optional[Policy], with_value: bool = True) -> str:
    """The fix for a refusal, with the option's current value and where it comes from.

    When the value comes from a layer that overrides the ``CORS_*`` key (a ``resources``
    entry, ``CORS(...)``, ``init_app(...)``, ``@cross_origin``), the fix names that layer: a
    change to the key would be overridden again. ``with_value=False`` leaves the value out
    (for a response header, which must not tell a refused origin what the policy allows).
    """
    text = reason.fix
    name = REASON_OPTION.get(reason)
    if policy is None or name is None or name not in policy.settings:
        return text
    value = f"it is now {display(policy.settings[name])!r}, " if with_value else ""
    source = policy.sources.get(name, "default")
    key = f"CORS_{name.upper()}"
    if source in ("default", key):
        return f"{text}; {value}set by {source}"
    text = text.replace(f" ({key})", "")
    return f"{text}; {value}set by {source}, which overrides {key}: change it there"
