"""A run config as one short line, like Playground's URL hash: `dataset=circle&lr=0.03&…`.

Only the fields that differ from the defaults are written, in the field table's order, each under
its own name (the full path where two fields share a name, as `data.seed` and `training.seed`);
values are typed by the field table when read back, so a config round-trips exactly."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import quote, unquote

from nntui.core.config import RULES, ConfigError, RunConfig, _values, parse_hidden
from nntui.core.errors import UserError

_SAFE = ",:/*()<>^!'+-~;"  # kept as typed: enough for layers, paths, expressions and points
_DEFAULTS: dict[str, Any] = dict(_values(RunConfig()))
_FIELDS = [path for path in RULES]


def _short_names() -> dict[str, str]:
    """Each field's name in a share string: its last part, unless another field has it too."""
    last = [path.rsplit(".", 1)[-1] for path in _FIELDS]
    return {path: name if last.count(name) == 1 else path for path, name in zip(_FIELDS, last)}


SHORT = _short_names()
_BY_NAME = {**{path: path for path in _FIELDS}, **{name: path for path, name in SHORT.items()}}


def to_share_string(config: RunConfig) -> str:
    """The config's fields that differ from the defaults, as `name=value&…` ("" for the defaults);
    a UserError for a drawn set too large to paste as one line."""
    from nntui.core.drawn import SHARE_MAX_POINTS, count_points

    drawn = count_points(config.data.points)
    if drawn > SHARE_MAX_POINTS:
        raise UserError(
            f"a share string carries at most {SHARE_MAX_POINTS} drawn points and this set has {drawn:,}: "
            "share the config file instead (nntui train --write-config, or runs export --format json)"
        )
    values = dict(_values(config))
    parts = []
    for path in _FIELDS:
        value = values[path]
        if value != _DEFAULTS[path]:
            parts.append(f"{SHORT[path]}={_encode(path, value)}")
    return "&".join(parts)


def from_share_string(text: str) -> RunConfig:
    """The config a share string describes; a ConfigError naming each part that is not right."""
    raw = RunConfig().to_dict()
    problems: list[str] = []
    seen: set[str] = set()
    for part in filter(None, text.strip().split("&")):
        name, sep, encoded = part.partition("=")
        path = _BY_NAME.get(name.strip())
        if not sep:
            problems.append(f"config string: {_cut(part)} must look like name=value")
        elif path is None:
            problems.append(f"config string: unknown field {_cut(name)}; known: {', '.join(SHORT.values())}")
        elif path in seen:
            problems.append(f"config string: {SHORT[path]} is given twice")
        else:
            seen.add(path)
            try:
                value = _decode(path, unquote(encoded.strip()))
            except ValueError as error:
                problems.append(f"config string: {path} {error}")
                continue
            *sections, field = path.split(".")
            target = raw
            for section in sections:
                target = target[section]
            target[field] = value
    if problems:
        raise ConfigError(problems)
    return RunConfig.from_dict(raw)


def _encode(path: str, value: Any) -> str:
    if path == "model.hidden":
        return ",".join(f"{layer.units}:{layer.activation}" for layer in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return quote(str(value), safe=_SAFE)


def _decode(path: str, text: str) -> Any:
    kind = type(_DEFAULTS[path])
    if path == "model.hidden":
        return [dataclasses.asdict(layer) for layer in parse_hidden(text)]
    if kind is bool:
        if text not in ("true", "false"):
            raise ValueError(f"must be true or false, got {_cut(text)}")
        return text == "true"
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"must be a whole number, got {_cut(text)}") from None
    if kind is float:
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"must be a number, got {_cut(text)}") from None
    return text


def _cut(text: str, limit: int = 24) -> str:
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"
