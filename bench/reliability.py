#!/usr/bin/env python3
"""Fills docs/reliability.md.in with the figures the reliability suite measured and writes docs/reliability.md.

    bin/test                              # every test that shows a promise records its figures
    bench/soak                            # the 10-minute soak (soak.long.*), optional
    bench/fuzz.sh 60                      # the long fuzz run (fuzz.*), optional
    python3 bench/reliability.py          # writes docs/reliability.md and docs/reliability-figures.jsonl

Tests record figures with io.streamtee.testing.Figures: one JSON line per record,
{"id": ..., "test": "Class#method", "at": ISO time, "values": {...}}, in <module>/target/figures/figures.jsonl (and
the scripts' in target/figures/figures.jsonl at the root). The newest line of each id wins. In the template,
{{ID.KEY}} is a value, {{ID:test}} the test that measured it, {{ID:at}} the day it was measured (UTC), {{measured}} the span of
the figures' times. A placeholder
without a figure stops the script with the list of what is missing, so no figure is ever typed in; the figures
used are written beside the page (docs/reliability-figures.jsonl) for anyone to check.

    python3 bench/reliability.py --check  # only lists what is missing or unused, writes nothing
    python3 bench/reliability.py --from /tmp/clone   # the figures of a test run in another checkout (e.g. CI's)
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "docs" / "reliability.md.in"
PAGE = ROOT / "docs" / "reliability.md"
USED = ROOT / "docs" / "reliability-figures.jsonl"
PLACEHOLDER = re.compile(r"\{\{([a-z0-9][a-z0-9.\-]*?)(?:\.([a-z0-9_]+)|:(test|at))\}\}")


def figure_files(where):
    yield from sorted(where.glob("*/target/figures/figures.jsonl"))
    yield from sorted(where.glob("target/figures/figures.jsonl"))
    if where != ROOT:  # the bench scripts' long runs (soak, fuzz) stay in this checkout
        yield from sorted(ROOT.glob("target/figures/figures.jsonl"))


def newest_figures(where):
    newest = {}
    for path in figure_files(where):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                fig = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: not a figure line: {e}")
            old = newest.get(fig["id"])
            if old is None or fig["at"] >= old["at"]:
                newest[fig["id"]] = fig
    return newest


def show(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def main():
    args = sys.argv[1:]
    check = "--check" in args
    where = pathlib.Path(args[args.index("--from") + 1]).resolve() if "--from" in args else ROOT
    figures = newest_figures(where)
    template = TEMPLATE.read_text()
    missing, used = [], {}

    def fill(m):
        fid, key, meta = m.group(1), m.group(2), m.group(3)
        fig = figures.get(fid)
        if fig is None or (key is not None and key not in fig["values"]):
            missing.append(m.group(0))
            return m.group(0)
        used[fid] = fig
        if meta == "test":
            return fig["test"]
        if meta == "at":
            return fig["at"][:10]
        return show(fig["values"][key])

    page = PLACEHOLDER.sub(fill, template)
    if used:
        times = sorted(f["at"] for f in used.values())
        span = [t[:16].replace("T", " ") for t in (times[0], times[-1])]
        page = page.replace("{{measured}}", f"measured between {span[0]} and {span[1]} UTC")
    unused = sorted(set(figures) - set(used))
    if unused:
        print("recorded but not in the page: " + ", ".join(unused), file=sys.stderr)
    if missing:
        sys.exit("no figure for: " + ", ".join(dict.fromkeys(missing))
                 + "\n(run the tests that record them: bin/test, bench/soak, bench/fuzz.sh)")
    if check:
        print(f"{len(used)} figures, all present")
        return
    PAGE.write_text(page)
    USED.write_text("".join(json.dumps(used[k], sort_keys=True) + "\n" for k in sorted(used)))
    print(f"wrote {PAGE.relative_to(ROOT)} ({len(used)} figures) and {USED.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
