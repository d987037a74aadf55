"""Fetch Kafka and Elasticsearch from Maven Central into the cache folder, once."""

import shutil
import subprocess
import zipfile
from importlib import resources
from pathlib import Path

from ops.launcher.errors import LauncherError
from ops.settings import Settings

ES_ARTIFACT = "org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip"


def require_tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise LauncherError(f"`{name}` was not found on PATH: {hint}")
    return path


def require_java(settings: Settings) -> str:
    if settings.java_home:
        java = settings.java_home / "bin" / "java"
        if not java.exists():
            raise LauncherError(f"ORDERFLOW_JAVA_HOME={settings.java_home} has no bin/java: point it at a JDK 17+")
        return str(java)
    return require_tool("java", "install a JDK 17+ (apt-get install openjdk-17-jdk-headless) or set ORDERFLOW_JAVA_HOME")


def _mvn(args: list[str], cwd: Path) -> None:
    mvn = require_tool("mvn", "install Maven (apt-get install maven)")
    result = subprocess.run([mvn, "-B", "-q", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-5:]
        raise LauncherError("Maven could not fetch the servers: " + " | ".join(tail))


def kafka_libs(settings: Settings) -> Path:
    """The broker's class path folder: kafka_2.13 and its runtime dependencies plus an slf4j binding."""
    target = settings.cache_dir / f"kafka-{settings.kafka_version}" / "libs"
    marker = target / ".complete"
    if marker.exists():
        return target
    print(f"fetching Kafka {settings.kafka_version} from Maven Central into {target.parent} ...", flush=True)
    target.mkdir(parents=True, exist_ok=True)
    pom = resources.files("ops") / "maven" / "kafka-pom.xml"
    with resources.as_file(pom) as pom_path:
        _mvn(
            ["-f", str(pom_path), f"-Dkafka.version={settings.kafka_version}",
             "dependency:copy-dependencies", f"-DoutputDirectory={target}"],
            cwd=target,
        )
    marker.touch()
    return target


def elasticsearch_home(settings: Settings) -> Path:
    """The unpacked integ-test-zip distribution."""
    version = settings.elasticsearch_version
    home = settings.cache_dir / f"elasticsearch-{version}"
    if (home / "bin" / "elasticsearch").exists():
        return home
    print(f"fetching Elasticsearch {version} from Maven Central into {home} ...", flush=True)
    download = settings.cache_dir / "downloads"
    download.mkdir(parents=True, exist_ok=True)
    _mvn(
        ["org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy",
         f"-Dartifact={ES_ARTIFACT.format(version=version)}", f"-DoutputDirectory={download}"],
        cwd=download,
    )
    _unpack(download / f"elasticsearch-{version}.zip", settings.cache_dir, home)
    return home


def _unpack(archive: Path, into: Path, home: Path) -> None:
    staging = into / f".unpack-{home.name}"
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(staging)
    for executable in (staging / home.name).glob("bin/*"):
        executable.chmod(0o755)
    (staging / home.name).rename(home)
    shutil.rmtree(staging, ignore_errors=True)
