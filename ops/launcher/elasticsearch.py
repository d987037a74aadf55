"""A single-node Elasticsearch on 127.0.0.1, run as a non-root user, security off."""

import os
import pwd
import shutil
import subprocess
import urllib.request
from pathlib import Path

from ops.launcher.errors import LauncherError
from ops.launcher.fetch import elasticsearch_home, require_java
from ops.launcher.processes import ManagedProcess, require_free_port, wait_until
from ops.settings import Settings

NAME = "elasticsearch"


def process(settings: Settings) -> ManagedProcess:
    return ManagedProcess(NAME, settings)


def _home(settings: Settings) -> Path:
    return settings.data_dir / "elasticsearch"


def elasticsearch_yml(settings: Settings) -> str:
    home = _home(settings)
    return "\n".join([
        "cluster.name: orderflow",
        "node.name: orderflow-1",
        f"path.data: {home / 'data'}",
        f"path.logs: {settings.log_dir / 'elasticsearch'}",
        "network.host: 127.0.0.1",
        f"http.port: {settings.elasticsearch_port}",
        "discovery.type: single-node",
        "xpack.security.enabled: false",
        "action.destructive_requires_name: true",
        "cluster.routing.allocation.disk.threshold_enabled: false",
        "",
    ])


def _run_as_root() -> bool:
    return os.geteuid() == 0


def _ensure_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    useradd = shutil.which("useradd")
    if useradd is None:
        raise LauncherError(f"cannot create the user {name!r} for Elasticsearch: no useradd; create it by hand")
    subprocess.run([useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    return pwd.getpwnam(name)


def _chown_tree(path: Path, user: pwd.struct_passwd) -> None:
    for root, dirs, files in os.walk(path):
        for entry in (root, *(os.path.join(root, name) for name in (*dirs, *files))):
            os.chown(entry, user.pw_uid, user.pw_gid)


def _open_path_for(path: Path) -> None:
    """Let the Elasticsearch user traverse every parent of its folders."""
    for parent in (path, *path.parents):
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


def _prepare(settings: Settings, distribution: Path) -> Path:
    home = _home(settings)
    config = home / "config"
    if not config.exists():
        shutil.copytree(distribution / "config", config)
    (config / "elasticsearch.yml").write_text(elasticsearch_yml(settings))
    (config / "jvm.options.d").mkdir(exist_ok=True)
    heap = settings.elasticsearch_heap
    (config / "jvm.options.d" / "heap.options").write_text(f"-Xms{heap}\n-Xmx{heap}\n")
    for folder in (home / "data", settings.log_dir / "elasticsearch"):
        folder.mkdir(parents=True, exist_ok=True)
    if _run_as_root():
        user = _ensure_user(settings.elasticsearch_user)
        _chown_tree(home, user)
        _chown_tree(settings.log_dir / "elasticsearch", user)
        _open_path_for(home)
        _open_path_for(settings.log_dir)
        _open_path_for(distribution)
    return config


def _java_home(settings: Settings) -> str:
    return str(Path(os.path.realpath(require_java(settings))).parent.parent)


def start(settings: Settings) -> bool:
    """Start Elasticsearch unless it already runs. Returns whether it was started now."""
    managed = process(settings)
    if managed.pid() is not None:
        return False
    require_free_port(settings.elasticsearch_port, "Elasticsearch", "ORDERFLOW_ELASTICSEARCH_PORT")
    distribution = elasticsearch_home(settings)
    config = _prepare(settings, distribution)
    command = [str(distribution / "bin" / "elasticsearch")]
    if _run_as_root():
        user = settings.elasticsearch_user
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *command]
    managed.start(command, env={"ES_JAVA_HOME": _java_home(settings), "ES_PATH_CONF": str(config)}, cwd=_home(settings))
    return True


def healthy(settings: Settings) -> bool:
    url = f"{settings.elasticsearch_url.rstrip('/')}/_cluster/health?wait_for_status=yellow&timeout=1s"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


def wait_healthy(settings: Settings) -> None:
    if not wait_until(lambda: healthy(settings), settings.startup_timeout_s, interval_s=1.0):
        raise LauncherError(f"Elasticsearch did not become healthy: see {process(settings).log_file}")
