"""Turn a folder of dated edge-list snapshots into one ``supplier,customer,date`` edge list.

    python -m scripts.snapshot_edges /work/data/gdes /work/data/gdes_edges.csv [--until 2022-12-31]

Each snapshot is a CSV named ``A_YYYY_MM_DD.csv`` with ``supplier,customer`` rows (the layout of the
GDES supply panel). A pair is written once, dated by the first snapshot it appears in, which is all
the evaluation's time split needs. Snapshots after ``--until`` are not opened.
"""

from __future__ import annotations

import argparse
import csv
import re
from datetime import date
from pathlib import Path

SNAPSHOT = re.compile(r"A_(\d{4})_(\d{2})_(\d{2})\.csv$")


def snapshots(folder: Path, until: date | None) -> list[tuple[date, Path]]:
    found = []
    for path in folder.iterdir():
        match = SNAPSHOT.search(path.name)
        if match:
            day = date(*map(int, match.groups()))
            if until is None or day <= until:
                found.append((day, path))
    return sorted(found)


def first_seen(folder: Path, until: date | None) -> dict[tuple[str, str], date]:
    first: dict[tuple[str, str], date] = {}
    for day, path in snapshots(folder, until):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                first.setdefault((row["supplier"].strip(), row["customer"].strip()), day)
    return first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--until", type=date.fromisoformat, default=None, help="Last snapshot date to read")
    args = parser.parse_args()
    first = first_seen(args.folder, args.until)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["supplier", "customer", "date"])
        writer.writerows([s, c, day.isoformat()] for (s, c), day in first.items())
    print(f"{len(first):,} pairs from {len(snapshots(args.folder, args.until))} snapshots -> {args.out}")


if __name__ == "__main__":
    main()
