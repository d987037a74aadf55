"""CPU time used by a running process (all its threads), read from /proc."""

import os
from pathlib import Path

from ops.launcher.services import COMMAND_API
from ops.settings import Settings

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    """User + system time so far; 0 when the process is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND  # utime and stime, fields 14 and 15 of stat


def command_api_cpu_s(settings: Settings) -> float:
    pid = COMMAND_API.process(settings).pid()
    return process_cpu_s(pid) if pid is not None else 0.0
