"""The project's own processes: the Faust worker and the two HTTP APIs."""

import sys
import urllib.request
from dataclasses import dataclass

from ops.launcher.errors import LauncherError
from ops.launcher.processes import ManagedProcess, require_free_port, wait_until
from ops.settings import Settings


@dataclass(frozen=True)
class AppService:
    name: str
    module: str
    port_setting: str

    def port(self, settings: Settings) -> int:
        return int(getattr(settings, self.port_setting))

    def process(self, settings: Settings) -> ManagedProcess:
        return ManagedProcess(self.name, settings)

    def health_url(self, settings: Settings) -> str:
        return f"http://127.0.0.1:{self.port(settings)}/health"

    def start(self, settings: Settings) -> bool:
        managed = self.process(settings)
        if managed.pid() is not None:
            return False
        require_free_port(self.port(settings), self.name, f"ORDERFLOW_{self.port_setting.upper()}")
        managed.start([sys.executable, "-m", self.module], env=settings.as_env())
        return True

    def healthy(self, settings: Settings) -> bool:
        try:
            with urllib.request.urlopen(self.health_url(settings), timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def wait_healthy(self, settings: Settings) -> None:
        managed = self.process(settings)

        def ready() -> bool:
            if managed.pid() is None:
                raise LauncherError(f"{self.name} exited during start-up: see {managed.log_file}")
            return self.healthy(settings)

        if not wait_until(ready, settings.startup_timeout_s, interval_s=0.5):
            raise LauncherError(f"{self.name} did not become healthy: see {managed.log_file}")


WORKER = AppService("worker", "streams", "worker_web_port")
COMMAND_API = AppService("command-api", "producers", "command_api_port")
QUERY_API = AppService("query-api", "query_api", "query_api_port")
APP_SERVICES = (WORKER, COMMAND_API, QUERY_API)
