"""The headless face of nntui: `nntui train`, `nntui runs`, `nntui compare`, `nntui sweep`,
`nntui presets`, `nntui devices`, `nntui lesson` (the app in lesson mode), `nntui serve` (the app in
a browser), `nntui inspect` (a saved run's neurons); no arguments opens the app. Each command has
its module here (its parser and its function); this one wires them to `main`."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

from nntui.cli.common import EXIT_INTERRUPTED, EXIT_USAGE
from nntui.cli.compare import add_compare_command, compare_command
from nntui.cli.info import add_info_commands, list_devices, list_presets
from nntui.cli.inspect import add_inspect_command, inspect_command
from nntui.cli.lesson import add_lesson_command, lesson_command
from nntui.cli.runs import add_runs_commands, runs_command
from nntui.cli.sweep import add_sweep_command, sweep_command
from nntui.cli.train import add_train_command, train_command
from nntui.core.errors import ConfigError, UserError
from nntui.core.share import from_share_string


def build_parser() -> argparse.ArgumentParser:
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument(
        "--runs-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="where runs are saved (default: $NNTUI_RUNS_DIR, else the user data directory)",
    )
    parser = argparse.ArgumentParser(
        prog="nntui",
        description="Build, train and watch small PyTorch networks. With no command: the app.",
        parents=[store],
    )
    link = parser.add_mutually_exclusive_group()
    link.add_argument(
        "--slow-link",
        dest="slow_link",
        action="store_true",
        default=None,
        help="the app redraws within about 5 KB/s, its charts less often (the default over SSH)",
    )
    link.add_argument(
        "--fast-link",
        dest="slow_link",
        action="store_false",
        help="the app redraws within about 20 KB/s, over SSH too",
    )
    parser.add_argument(
        "--config-string",
        dest="app_config_string",
        metavar="TEXT",
        help="open the app on the config of a share string (`nntui runs show` prints a run's)",
    )
    commands = parser.add_subparsers(dest="command")
    add_train_command(commands, store)
    add_runs_commands(commands, store)
    add_compare_command(commands, store)
    add_lesson_command(commands, store)
    add_inspect_command(commands, store)
    add_sweep_command(commands, store)
    add_info_commands(commands)
    from nntui.cli.serve import add_serve_command

    add_serve_command(commands, store)
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        if args.command is None:
            from nntui.tui.app import run_app

            config = None
            if args.app_config_string is not None:
                config = from_share_string(args.app_config_string)
            return run_app(getattr(args, "runs_dir", None), args.slow_link, config)  # ends the process
        if args.command == "presets":
            return list_presets(out)
        if args.command == "devices":
            return list_devices(out)
        if args.command == "runs":
            return runs_command(args, out)
        if args.command == "compare":
            return compare_command(args, out)
        if args.command == "lesson":
            return lesson_command(args, out)
        if args.command == "inspect":
            return inspect_command(args, out)
        if args.command == "sweep":
            return sweep_command(args, out)
        if args.command == "serve":
            from nntui.cli.serve import serve_command

            return serve_command(args, out)
        return train_command(args, out)
    except ConfigError as error:
        for problem in error.problems:
            print(f"nntui: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except UserError as error:
        print(f"nntui: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # Ctrl-C before a run took it over, e.g. while torch is imported
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `nntui runs | head`: the reader has all it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
