"""Errors a user can cause, each with a message written for that user."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in what the user asked for; the message says what to change."""


class ConfigError(UserError):
    """One or more invalid config fields; `problems` holds one line per field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)
