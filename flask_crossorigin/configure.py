"""From configuration layers to compiled policies, with every problem reported at once.

Precedence, lowest first: built-in defaults < ``app.config["CORS_*"]`` < ``CORS(...)``
keywords < ``init_app(...)`` keywords < a resource's own options. The decorator and a
blueprint's ``CORS(bp)`` use defaults < ``app.config`` < their own keywords.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

from .errors import Problems
from .options import config_layer, defaults
from .policy import Policy, compile_policy, merge

Layer = tuple[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Coverage:
    """A policy and where it comes from: what covers a request."""

    policy: Policy
    source: str


@dataclass(frozen=True)
class ResourceRule:
    key: str
    pattern: Union[str, re.Pattern[str]]
    coverage: Coverage


def base_layers(config: Mapping[str, object], problems: Problems) -> list[Layer]:
    return [("default", defaults()), ("app.config", config_layer(config, problems))]


def _with_config_keys(layers: list[Layer]) -> list[Layer]:
    """Name each config value by its key (``CORS_ORIGINS``) rather than ``app.config``."""
    out: list[Layer] = []
    for source, values in layers:
        if source == "app.config":
            out.extend((f"CORS_{name.upper()}", {name: value}) for name, value in values.items())
        else:
            out.append((source, values))
    return out


def effective_settings(
    config: Mapping[str, object], layers: Sequence[Layer]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The extension's merged options (before resources) and the source of each."""
    problems = Problems()
    merged = merge(_with_config_keys([*base_layers(config, problems), *layers]))
    problems.raise_if_any()
    return merged


def resource_rules(
    config: Mapping[str, object], layers: list[Layer], owner: str = ""
) -> tuple[ResourceRule, ...]:
    """Compile one policy per resource; raise ``CORSConfigError``.

    ``owner`` prefixes each resource's source label (``"blueprint 'api' "`` for a blueprint's
    resources), so that the CLI and the debug log name who set each value.
    """
    problems = Problems()
    all_layers = _with_config_keys(base_layers(config, problems) + layers)
    settings, _ = merge(all_layers)
    rules: list[ResourceRule] = []
    for resource in settings["resources"]:
        source = f"{owner}resources[{resource.key!r}]"
        merged, sources = merge([*all_layers, (source, resource.overrides)])
        policy = compile_policy(merged, sources, problems)
        if policy is not None:
            rules.append(ResourceRule(resource.key, resource.pattern, Coverage(policy, source)))
    problems.raise_if_any(owner.strip() or None)
    return tuple(rules)


def single_policy(config: Mapping[str, object], layers: Sequence[Layer], source: str) -> Coverage:
    """Compile the policy of a decorator or a blueprint; raise ``CORSConfigError``."""
    problems = Problems()
    merged, sources = merge(_with_config_keys([*base_layers(config, problems), *layers]))
    policy = compile_policy(merged, sources, problems)
    problems.raise_if_any(source)
    assert policy is not None
    return Coverage(policy, source)
