"""Start-up time of the command line: `chainmap --help` and `chainmap classify --text` (median of 5 runs).

Run with `python -m scripts.bench_cli`; the classifier model is fitted once first if it is not saved yet.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

CHAINMAP = str(Path(sys.executable).with_name("chainmap"))
COMMANDS = {
    "chainmap --help": [CHAINMAP, "--help"],
    "chainmap classify --text 手机天线、LED照明驱动芯片": [CHAINMAP, "classify", "--text", "手机天线、LED照明驱动芯片"],
}


def seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    subprocess.run(COMMANDS["chainmap classify --text 手机天线、LED照明驱动芯片"], check=True, capture_output=True)
    for label, command in COMMANDS.items():
        runs = [seconds(command) for _ in range(5)]
        print(f"{label:<50} median {statistics.median(runs):.2f} s  (min {min(runs):.2f}, max {max(runs):.2f})")


if __name__ == "__main__":
    main()
