"""A named collection of one extensible concept (datasets, activations, optimizers, presets)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Entries by name, in the order they were added; the UI and the CLI both list from here."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def add(self, name: str, entry: T) -> T:
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._entries[name] = entry
        return entry

    def get(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            raise KeyError(f"unknown {self.kind} {name!r}; choose one of: {', '.join(self)}") from None

    def names(self) -> list[str]:
        return list(self._entries)

    def values(self) -> list[T]:
        return list(self._entries.values())

    def items(self) -> list[tuple[str, T]]:
        return list(self._entries.items())

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


class Implementations(Generic[T]):
    """What the engine attaches to each entry of a core registry, under the entry's name: it
    refuses a name the registry does not have, so the UI and the CLI list exactly what exists."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._entries: dict[str, T] = {}

    def add(self, name: str, entry: T) -> T:
        if name not in self.registry:
            raise ValueError(f"{name!r} is not a {self.registry.kind} of nntui.core.choices")
        self._entries[name] = entry
        return entry

    def get(self, name: str) -> T:
        self.registry.get(name)  # the registry's own message for an unknown name
        return self._entries[name]

    def missing(self) -> list[str]:
        return [name for name in self.registry if name not in self._entries]
