"""Resident memory of the worker and the APIs, read from /proc through the launcher's pid files."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ops.launcher.services import app_services
from ops.settings import Settings

KIB_PER_MIB = 1024


@dataclass(frozen=True)
class ProcessMemory:
    name: str
    pid: int
    peak_rss_mib: float  # VmHWM: the highest resident set since the process started
    rss_mib: float  # VmRSS: now

    def as_json(self) -> dict[str, Any]:
        return {"pid": self.pid, "peak_rss_mib": round(self.peak_rss_mib, 1), "rss_mib": round(self.rss_mib, 1)}


def status_fields(text: str) -> dict[str, int]:
    """The ``kB`` lines of /proc/<pid>/status as kibibytes by field name."""
    fields: dict[str, int] = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        parts = value.split()
        if len(parts) == 2 and parts[1] == "kB":
            fields[name] = int(parts[0])
    return fields


def process_memory(name: str, pid: int) -> ProcessMemory | None:
    try:
        fields = status_fields(Path(f"/proc/{pid}/status").read_text())
    except (FileNotFoundError, ProcessLookupError):
        return None
    return ProcessMemory(name, pid, fields.get("VmHWM", 0) / KIB_PER_MIB, fields.get("VmRSS", 0) / KIB_PER_MIB)


def app_memory(settings: Settings) -> dict[str, ProcessMemory]:
    """The worker's and both APIs' memory; a process that is not running is left out."""
    found: dict[str, ProcessMemory] = {}
    for service in app_services(settings):
        pid = service.process(settings).pid()
        memory = process_memory(service.name, pid) if pid is not None else None
        if memory is not None:
            found[service.name] = memory
    return found
