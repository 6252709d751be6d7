"""Variants of one config, for a comparison or a sweep: every combination of the values given
for some fields, each a validated config named after its values. Torch-free."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from nntui.core.config import RunConfig
from nntui.core.errors import UserError


@dataclass(frozen=True)
class Variant:
    label: str
    config: RunConfig


def parse_vary(text: str) -> tuple[str, list[str]]:
    """`field=a|b|c` (or `field=a,b,c` when no value holds a comma) into the field and its values."""
    field, sep, values = text.partition("=")
    parts = [part.strip() for part in values.split("|" if "|" in values else ",")]
    parts = [part for part in parts if part]
    if not sep or not field.strip() or not parts:
        raise UserError(f"{text!r} must look like section.field=A|B or section.field=1,2,3")
    return field.strip(), parts


MAX_VARIANTS = 1000


def variant_count(vary: list[str]) -> int:
    """How many variants `vary` makes, counted before any is built."""
    return math.prod(len(values) for _, values in map(parse_vary, vary))


def make_variants(config: RunConfig, vary: list[str], limit: int = MAX_VARIANTS) -> list[Variant]:
    """Every combination of the varied values, each a validated config named after its values;
    more than `limit` is refused with the count before any is built."""
    count = variant_count(vary)
    if count > limit:
        raise UserError(f"that makes {count:,} variants; nntui trains at most {limit:,} side by side")
    axes = [parse_vary(text) for text in vary]
    names = [name for name, _ in axes]
    for name, values in axes:
        if names.count(name) > 1:
            raise UserError(f"{name} is varied twice: give all its values at once, e.g. {name}=1,2,3")
        if len(set(values)) < len(values):
            raise UserError(f"{name} repeats a value ({'|'.join(values)}): each variant must differ")
    variants = []
    for values in itertools.product(*(values for _, values in axes)):
        label = ", ".join(f"{field.rsplit('.', 1)[-1]}={value}" for (field, _), value in zip(axes, values))
        overrides = [f"{field}={value}" for (field, _), value in zip(axes, values)]
        varied = config.updated(overrides)
        variants.append(Variant(label, varied.with_changes(name=f"{config.name} [{label}]")))
    if len(variants) < 2:
        raise UserError("that is only one variant: give at least two values to compare")
    return variants
