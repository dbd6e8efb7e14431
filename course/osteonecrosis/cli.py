"""Command line: ``python -m osteonecrosis stage|risk|plan CASE`` prints one JSON object.

Bad input gives one clear line on stderr naming the problem, exit status 2, and no traceback.
A case outside the declared scope (docs/clinical_scope.md; :mod:`osteonecrosis.scope`) is not bad input:
the command says so in one line (the ``out_of_scope`` field, echoed on stderr), exits 0 and gives no
figure: ``risk`` and ``plan`` print only the reason; ``stage`` still applies the criteria (they may be
taught) with the reason beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .cases import Case, CaseError, load_case
from .scope import out_of_scope, out_of_scope_result

DISCLAIMER = "Teaching tool, not a clinical decision tool."


def _stage(case: Case) -> dict[str, Any]:
    from .staging import stage

    return stage(case).to_dict()


def _risk(case: Case) -> dict[str, Any]:
    from .risk import assess

    return assess(case).to_dict()


def _plan(case: Case) -> dict[str, Any]:
    from .plan import make_plan

    return make_plan(case).to_dict()


COMMANDS: dict[str, tuple[Callable[[Case], dict[str, Any]], str]] = {
    "stage": (_stage, "AAOMS 2022 stage and the criteria that decided"),
    "risk": (_risk, "MRONJ risk range for the case, with sources"),
    "plan": (_plan, "management and prevention plan, each item with its source and evidence"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        print(f"osteonecrosis: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="osteonecrosis", description=f"Osteonecrosis course tools. {DISCLAIMER}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{stage,risk,plan}")
    for name, (_, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        p.add_argument("case", help="case file (YAML or JSON) in the course's case format")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        case = load_case(args.case)
        reason = out_of_scope(case, args.command)
        if reason is not None and args.command != "stage":
            result = out_of_scope_result(case, args.command, reason)
        else:
            result = COMMANDS[args.command][0](case)
            if reason is not None:
                result = {**result, "in_scope": False, "out_of_scope": reason}
    except CaseError as exc:
        print(f"osteonecrosis: {exc}", file=sys.stderr)
        return 2
    if reason is not None:
        print(f"osteonecrosis: {reason}", file=sys.stderr)
    result.setdefault("disclaimer", DISCLAIMER)
    try:
        json.dump(result, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader (e.g. `head`) closed the pipe: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0
