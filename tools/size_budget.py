"""Keep a results folder small enough to share in a repository.

usage: size_budget.py RESULTS BUDGET_MB

Sums the sizes of every file under RESULTS (1 MB = 10^6 bytes) and prints the total and its largest parts
(the top-level folders, and under runs/ each sweep). Exit status 0 within the budget, 1 over it (naming
what to shrink), 2 for bad arguments.
"""
import sys
from pathlib import Path

MB = 1e6


def sizes(results):
    """{part: bytes}: a part is a top-level entry of RESULTS, or runs/NAME for each sweep."""
    parts = {}
    for f in results.rglob("*"):
        if f.is_file() and not f.is_symlink():
            rel = f.relative_to(results).parts
            part = "/".join(rel[:2]) if rel[0] == "runs" and len(rel) > 2 else rel[0]
            parts[part] = parts.get(part, 0) + f.stat().st_size
    return parts


def main(argv):
    if len(argv) != 2:
        print(__doc__.split("usage: ", 1)[1].split("\n\n")[0], file=sys.stderr)
        return 2
    results = Path(argv[0])
    try:
        budget = float(argv[1])
    except ValueError:
        budget = -1
    if budget <= 0:
        print(f"error: BUDGET_MB = {argv[1]}: must be a positive number of megabytes", file=sys.stderr)
        return 2
    if not results.is_dir():
        print(f"error: RESULTS = {results}: no such folder", file=sys.stderr)
        return 2
    parts = sizes(results)
    total = sum(parts.values())
    largest = sorted(parts.items(), key=lambda kv: -kv[1])[:6]
    print(f"{results}: {total / MB:.1f} MB of a {budget:g} MB budget; largest: "
          + ", ".join(f"{name} {size / MB:.1f} MB" for name, size in largest))
    if total > budget * MB:
        print(f"error: {results} is {total / MB:.1f} MB, over its budget of {budget:g} MB: remove old sweeps "
              f"under runs/ or shrink the largest parts above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
