"""Single-command load from ``wrk``, a load generator written in C: it costs a few microseconds of CPU per
request, so the figures measure the API rather than the client. Debian packages it (``apt-get install wrk``);
``make bench`` and ``make test`` install it when it is missing."""

import json
import resource
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Prints the run's figures as one JSON line; wrk counts answers other than 2xx/3xx under errors.status.
REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '\\n{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, "bad_status": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status))
end
"""


class GeneratorMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class WrkRun:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    failed: int  # socket errors, timeouts and answers other than 2xx/3xx
    generator_cpu_s: float  # wrk's own user + system time


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise GeneratorMissing("wrk is not installed: `apt-get install wrk` (`make bench` and `make test` install it)")
    return found


def lua_script(path: str, body: str) -> str:
    """Every request a POST of ``body`` as JSON to ``path``."""
    return (f"wrk.method = 'POST'\nwrk.path = {json.dumps(path)}\nwrk.body = {json.dumps(body)}\n"
            "wrk.headers['Content-Type'] = 'application/json'\n" + REPORT)


def run_wrk(base_url: str, path: str, body: str, connections: int, seconds: float) -> WrkRun:
    """``connections`` connections, each sending the next request as soon as the last was answered."""
    with tempfile.TemporaryDirectory(prefix="orderflow-wrk-") as folder:
        script = Path(folder) / "post.lua"
        script.write_text(lua_script(path, body))
        command = [wrk_binary(), "-t1", f"-c{connections}", f"-d{max(round(seconds), 1)}s", "--timeout", "10s",
                   "-s", str(script), base_url]
        before = _children_cpu_s()
        finished = subprocess.run(command, capture_output=True, text=True, check=False)
        generator_cpu_s = _children_cpu_s() - before  # wrk is the only child waited for meanwhile
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed ({finished.returncode}): {(finished.stdout + finished.stderr)[-500:]}")
    return parse_report(finished.stdout, generator_cpu_s)


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def parse_report(output: str, generator_cpu_s: float) -> WrkRun:
    line = next((line for line in reversed(output.splitlines()) if line.startswith('{"requests"')), None)
    if line is None:
        raise RuntimeError(f"wrk printed no report: {output[-500:]}")
    figures = json.loads(line)
    failed = sum(figures[name] for name in ("connect_errors", "read_errors", "write_errors", "timeouts", "bad_status"))
    return WrkRun(figures["requests"], figures["duration_us"] / 1e6, figures["p50_us"] / 1000,
                  figures["p99_us"] / 1000, figures["max_us"] / 1000, failed, generator_cpu_s)
