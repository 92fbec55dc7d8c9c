"""`python3 -m xpusim report RESULT.json [MORE.json ...] --html OUT.html`; a sweep CSV (from
xpusim.sweep's `out`) gives the sweep report. The C++ CLI's `xpusim report` may call the same."""
from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m xpusim", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="write a self-contained HTML report")
    rep.add_argument("inputs", nargs="+", help="result JSON files (xpusim run --format json) or one sweep CSV")
    rep.add_argument("--html", required=True, help="output HTML file")
    rep.add_argument("--title", default=None)
    args = parser.parse_args(argv)

    from xpusim.report_html import write_report
    try:
        if len(args.inputs) == 1 and args.inputs[0].endswith(".csv"):
            import pandas as pd
            df = pd.read_csv(args.inputs[0], keep_default_na=False, na_values=[""], float_precision="round_trip")
            write_report(df, args.html, args.title)
        else:
            write_report(list(args.inputs), args.html, args.title)
    except (OSError, ValueError, KeyError) as e:
        # Exit 2 on bad input, as the C++ CLI does (DESIGN.md).
        print(f"xpusim report: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    print(f"wrote {args.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
