"""`nntui lesson`: the app in lesson mode, the tutorial's experiments in order; `--list` prints them."""

from __future__ import annotations

import argparse
from typing import TextIO

from nntui.core.errors import UserError
from nntui.core.lessons import LESSONS, lesson_index


def add_lesson_command(commands, store: argparse.ArgumentParser) -> None:
    lesson = commands.add_parser(
        "lesson", parents=[store], help="follow the tutorial: its experiments in order, in the app"
    )
    lesson.add_argument("step", nargs="?", help="start at this lesson: its number or preset name")
    lesson.add_argument("--list", action="store_true", help="print the lessons and exit")


def lesson_command(args: argparse.Namespace, out: TextIO) -> int:
    try:
        index = lesson_index(args.step)
    except ValueError as error:
        raise UserError(str(error)) from None
    if args.list:
        width = max(len(lesson.preset) for lesson in LESSONS)
        for number, lesson in enumerate(LESSONS, start=1):
            print(f"{number:>2}  {lesson.preset:<{width}}  {lesson.title}", file=out)
        return 0
    from nntui.tui.app import run_app

    return run_app(getattr(args, "runs_dir", None), lesson=index)
