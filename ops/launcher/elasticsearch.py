"""The local Elasticsearch on 127.0.0.1, one node or a cluster of several, run as a non-root user, security off."""

import os
import pwd
import shutil
import subprocess
import urllib.request
from functools import partial
from pathlib import Path

from ops.launcher.errors import LauncherError
from ops.launcher.fetch import elasticsearch_home, require_java
from ops.launcher.nodes import ElasticsearchNode, elasticsearch_nodes
from ops.launcher.processes import ManagedProcess, require_free_port, wait_until
from ops.settings import ELASTICSEARCH_TRANSPORT_OFFSET, Settings


def process(settings: Settings, node: ElasticsearchNode | None = None) -> ManagedProcess:
    """``node``'s process; the first (or only) node's by default."""
    return ManagedProcess((node or elasticsearch_nodes(settings)[0]).name, settings)


def _discovery(settings: Settings, node: ElasticsearchNode) -> list[str]:
    """A single node keeps to itself; the nodes of a cluster find each other on their transport ports and, the first
    time, elect a master among all of them."""
    if node.transport_port is None:
        return ["discovery.type: single-node"]
    members = elasticsearch_nodes(settings)
    return [f"transport.port: {node.transport_port}",
            f"discovery.seed_hosts: [{', '.join(f'127.0.0.1:{member.transport_port}' for member in members)}]",
            f"cluster.initial_master_nodes: [{', '.join(f'orderflow-{member.number}' for member in members)}]"]


def elasticsearch_yml(settings: Settings, node: ElasticsearchNode | None = None) -> str:
    """``node``'s elasticsearch.yml (the first or only node's by default)."""
    node = node or elasticsearch_nodes(settings)[0]
    return "\n".join([
        "cluster.name: orderflow",
        f"node.name: orderflow-{node.number}",
        f"path.data: {node.home(settings) / 'data'}",
        f"path.logs: {settings.log_dir / node.name}",
        "network.host: 127.0.0.1",
        f"http.port: {node.http_port}",
        *_discovery(settings, node),
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


def _prepare(settings: Settings, node: ElasticsearchNode, distribution: Path) -> Path:
    home, logs = node.home(settings), settings.log_dir / node.name
    config = home / "config"
    if not config.exists():
        shutil.copytree(distribution / "config", config)
    (config / "elasticsearch.yml").write_text(elasticsearch_yml(settings, node))
    (config / "jvm.options.d").mkdir(exist_ok=True)
    heap = settings.elasticsearch_heap
    (config / "jvm.options.d" / "heap.options").write_text(f"-Xms{heap}\n-Xmx{heap}\n")
    for folder in (home / "data", logs):
        folder.mkdir(parents=True, exist_ok=True)
    if _run_as_root():
        user = _ensure_user(settings.elasticsearch_user)
        _chown_tree(home, user)
        _chown_tree(logs, user)
        _open_path_for(home)
        _open_path_for(settings.log_dir)
        _open_path_for(distribution)
    return config


def _java_home(settings: Settings) -> str:
    return str(Path(os.path.realpath(require_java(settings))).parent.parent)


def _require_free_ports(node: ElasticsearchNode) -> None:
    """Each port's setting is named; a later node's ports are that setting plus its number."""
    shift = "" if node.number == 1 else f" (node {node.number} adds {node.number - 1})"
    require_free_port(node.http_port, "Elasticsearch", f"ORDERFLOW_ELASTICSEARCH_PORT{shift}")
    if node.transport_port is not None:
        require_free_port(node.transport_port, "Elasticsearch's transport",
                          f"ORDERFLOW_ELASTICSEARCH_PORT (+ {ELASTICSEARCH_TRANSPORT_OFFSET + node.number - 1})")


def start(settings: Settings) -> bool:
    """Start every node that does not run. Returns whether one was started now."""
    stopped = [node for node in elasticsearch_nodes(settings) if process(settings, node).pid() is None]
    for node in stopped:
        _require_free_ports(node)
    if not stopped:
        return False
    distribution = elasticsearch_home(settings)
    for node in stopped:
        config = _prepare(settings, node, distribution)
        command = [str(distribution / "bin" / "elasticsearch")]
        if _run_as_root():
            user = settings.elasticsearch_user
            command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *command]
        process(settings, node).start(command, env={"ES_JAVA_HOME": _java_home(settings), "ES_PATH_CONF": str(config)},
                                      cwd=node.home(settings))
    return True


def node_healthy(settings: Settings, node: ElasticsearchNode) -> bool:
    """Whether the node answers, in a cluster whose primaries are all allocated."""
    url = f"http://127.0.0.1:{node.http_port}/_cluster/health?wait_for_status=yellow&timeout=1s"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


def healthy(settings: Settings) -> bool:
    return all(node_healthy(settings, node) for node in elasticsearch_nodes(settings))


def wait_healthy(settings: Settings) -> None:
    for node in elasticsearch_nodes(settings):
        if not wait_until(partial(node_healthy, settings, node), settings.startup_timeout_s, interval_s=1.0):
            raise LauncherError(f"Elasticsearch did not become healthy: see {process(settings, node).log_file}")
