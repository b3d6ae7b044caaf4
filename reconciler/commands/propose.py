"""`reconcile propose [DIR]`: the IaC diff that codifies, reverts or imports each drift, validated."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reconciler.propose.patch import merge_edits
from reconciler.propose.render import render
from reconciler.propose.run import ProposeOptions
from reconciler.propose.run import run_propose
from reconciler.report.output import check_writable
from reconciler.report.output import write_output

HELP = "propose validated IaC diffs that codify, revert or import each drift of the latest scan"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory", nargs="?", default=".", type=Path, help="the Terraform root (default: .)"
    )
    parser.add_argument(
        "--strategy",
        choices=("codify", "revert", "auto"),
        default="auto",
        help="codify: change the code to match the cloud; revert: plan the cloud back; auto: codify "
        "changes and imports, re-create deletions (default)",
    )
    parser.add_argument("--scan", dest="scan_id", help="propose for this scan (default: the latest)")
    parser.add_argument("--no-llm", action="store_true", help="deterministic rules only")
    parser.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    parser.add_argument("--output", type=Path, help="write the report to FILE")
    parser.add_argument(
        "--patch", type=Path, help="write every valid edit as one diff that `git apply` accepts"
    )


def run(args: argparse.Namespace) -> int:
    for path, flag in ((args.output, "--output"), (args.patch, "--patch")):
        if path:
            check_writable(path, flag)
    result = run_propose(
        ProposeOptions(
            directory=args.directory, strategy=args.strategy, scan_id=args.scan_id, llm=not args.no_llm
        )
    )
    text = render(result, args.format)
    if args.output:
        write_output(args.output, text, "--output")
    else:
        sys.stdout.write(text)
    if args.patch:
        merged, left_out = merge_edits([e for p in result.proposals if p.valid for e in p.edits])
        # The one output that quotes the files verbatim (git apply needs their exact lines, secrets in a
        # tfvars file included): readable by its owner only.
        write_output(args.patch, "".join(e.diff() for e in merged), "--patch", private=True)
        proposals = sum(p.valid and bool(p.edits) for p in result.proposals)
        print(f"wrote {proposals} proposals' edits to {args.patch} ({len(merged)} files)", file=sys.stderr)
        for edit in left_out:
            print(
                f"left out an edit of {edit.path} that overlaps another: propose again after applying",
                file=sys.stderr,
            )
    # 0: every proposal is valid; 2: some drift has no valid proposal (a person must look).
    return 0 if all(p.valid for p in result.proposals) else 2
