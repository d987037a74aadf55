"""All configuration, read from the environment (prefix ``ORDERFLOW_``) or a ``.env`` file."""

import ipaddress
import json
import os
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_cache_dir() -> Path:
    if os.geteuid() == 0:
        return Path("/var/cache/orderflow")
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "orderflow"


def _default_data_dir() -> Path:
    if os.geteuid() == 0:
        return Path("/var/lib/orderflow")
    return Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "orderflow"


# The settings a test profile moves: each port goes up by TEST_PORT_OFFSET and the data folder gets a suffix, so the
# stack `make test` runs never shares a broker, an index or a table with the system `make run` started.
TEST_PORT_OFFSET = 10_000
TEST_DATA_DIR_SUFFIX = "-test"
PORT_FIELDS = ("kafka_port", "kafka_controller_port", "elasticsearch_port", "command_api_port", "query_api_port",
               "worker_web_port")
Profile = Literal["system", "test"]


# read: the query API; write: commands; admin: dead letters (list and resend).
Scope = Literal["read", "write", "admin"]
KafkaSecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
KafkaSaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class ApiKey(BaseModel):
    """One caller's key; its name is the ``actor`` of the commands it sends. A bare string means all scopes."""

    model_config = ConfigDict(frozen=True)

    key: SecretStr
    scopes: frozenset[Scope] = frozenset(get_args(Scope))

    @model_validator(mode="before")
    @classmethod
    def _from_bare_key(cls, value: Any) -> Any:
        return {"key": value} if isinstance(value, str | SecretStr) else value

    def plain(self) -> dict[str, Any]:
        return {"key": self.key.get_secret_value(), "scopes": sorted(self.scopes)}


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, ApiKey):
        return value.plain()
    return value.get_secret_value() if isinstance(value, SecretStr) else value


class Settings(BaseSettings):
    # Errors name the setting but never repeat the values given: those include passwords.
    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_", env_file=".env", extra="ignore",
                                      hide_input_in_errors=True)

    profile: Profile = Field(
        "system", description="`test`: the stack the test command runs, apart from the system's — its own data folder "
                              f"(the default one with `{TEST_DATA_DIR_SUFFIX}`) and ports (each default "
                              f"+ {TEST_PORT_OFFSET}), and a broker with its SCRAM listener on (ORDERFLOW_KAFKA_SASL_PORT, "
                              f"{9092 + TEST_PORT_OFFSET + 2}); settings given explicitly still win")

    # Where the servers are.
    kafka_bootstrap: str = Field("127.0.0.1:9092", description="Kafka bootstrap servers")
    elasticsearch_url: str = Field("http://127.0.0.1:9200", description="Elasticsearch URL")

    # How the clients authenticate (every client of every process and tool: see common/clients.py).
    kafka_security_protocol: KafkaSecurityProtocol = Field("PLAINTEXT", description="Kafka security.protocol")
    kafka_sasl_mechanism: KafkaSaslMechanism = Field("PLAIN", description="Kafka SASL mechanism (SASL_* protocols)")
    kafka_username: str | None = Field(None, description="Kafka SASL user name")
    kafka_password: SecretStr | None = Field(None, description="Kafka SASL password")
    kafka_ca_file: Path | None = Field(None, description="CA certificates (PEM) the Kafka brokers' certificates are "
                                                         "checked against (SSL protocols; default: the system's)")
    elasticsearch_api_key: SecretStr | None = Field(None, description="Elasticsearch API key (encoded form)")
    elasticsearch_username: str | None = Field(None, description="Elasticsearch basic-auth user name")
    elasticsearch_password: SecretStr | None = Field(None, description="Elasticsearch basic-auth password")
    elasticsearch_ca_file: Path | None = Field(None, description="CA certificates (PEM) for an https Elasticsearch URL")
    elasticsearch_ssl_fingerprint: str | None = Field(
        None, description="SHA-256 fingerprint (hex) of the Elasticsearch certificate, instead of a CA file")

    # Local launcher.
    cache_dir: Path = Field(default_factory=_default_cache_dir,
                            description="Downloaded Kafka and Elasticsearch, reused by later runs")
    data_dir: Path = Field(default_factory=_default_data_dir, description="Broker, index and table data, logs and pid files")
    kafka_version: str = Field("3.9.1", description="Apache Kafka broker version fetched from Maven Central")
    elasticsearch_version: str = Field("8.19.21", description="Elasticsearch integ-test-zip version fetched from Maven Central")
    kafka_port: int = Field(9092, description="Kafka broker port on 127.0.0.1")
    kafka_controller_port: int = Field(9093, description="KRaft controller port on 127.0.0.1")
    kafka_sasl_port: int = Field(0, ge=0, description="If not 0: the local broker also listens on this port with "
                                                      "SASL_PLAINTEXT (SCRAM-SHA-256 and -512) for the user below")
    kafka_sasl_port_username: str = Field("orderflow", description="SCRAM user the local broker creates")
    kafka_sasl_port_password: SecretStr = Field(SecretStr("orderflow-local"),
                                                description="Password of the local broker's SCRAM user")
    elasticsearch_port: int = Field(9200, description="Elasticsearch HTTP port on 127.0.0.1")
    kafka_heap: str = Field("512m", description="Kafka JVM heap")
    elasticsearch_heap: str = Field("1g", description="Elasticsearch JVM heap")
    elasticsearch_user: str = Field("orderflow-es",
                                    description="Non-root user that runs Elasticsearch when the launcher runs as root")
    java_home: Path | None = Field(None, description="JDK for Kafka and Elasticsearch (default: the java on PATH)")
    startup_timeout_s: float = Field(180.0, description="How long `up` waits for each server to become healthy")

    # Topics and indexes.
    partitions: int = Field(6, ge=1, description="Partitions of every topic (several workers share them)")
    replication_factor: int = Field(1, ge=1, description="Replication factor of every topic")

    # Processes.
    command_api_host: str = Field("127.0.0.1", description="Command API bind address")
    command_api_port: int = Field(8000, description="Command API port")
    query_api_host: str = Field("127.0.0.1", description="Query API bind address")
    query_api_port: int = Field(8001, description="Query API port")
    worker_web_port: int = Field(6066, description="Faust worker web port (health)")
    worker_id: str = Field("orderflow", description="Faust application id (consumer group, table topics)")
    api_keys: dict[str, ApiKey] = Field(
        default_factory=dict,
        description='API keys by name, e.g. {"shop": {"key": "…", "scopes": ["write"]}} or {"ops": "…"} (all scopes); '
                    'empty: no auth',
    )
    auth: Literal["on", "off"] = Field(
        "on", description="`off` lets an API listen on an address other than loopback with no API keys, open to anyone "
                          "who reaches it; with `on` such an API refuses to start")
    console_command_api_url: str | None = Field(
        None, description="The command API's address as the console's browser reaches it (default: the console's host "
                          "name with ORDERFLOW_COMMAND_API_PORT)")
    console_origins: tuple[str, ...] = Field(
        (), description="Origins whose pages may call the command API from a browser (CORS); default: the console's, "
                        "http://127.0.0.1:<query API port> and http://localhost:<query API port>")
    console_refresh_s: float = Field(5.0, gt=0, le=3600, description="How often the console's search and stats views "
                                                                       "refresh on their own")
    worker_session_timeout_s: float = Field(
        10.0, description="Kafka session timeout of the worker: how soon a crashed worker's partitions move")
    worker_producer_linger_s: float = Field(
        0.005, ge=0, le=1,
        description="How long the worker's producer gathers records into one request before its transaction "
                    "commits (a commit sends what lingers at once)",
    )
    workers: int = Field(1, ge=1, le=16, description="Worker processes `orderflow up` starts, in one consumer group "
                                                  "(each takes a share of the partitions)")
    worker_process_per_loop: bool = Field(
        True, description="`orderflow up` runs each worker as two processes, the deciders' and the projectors' "
                          "(each loop gets a core of its own instead of sharing one interpreter)")
    worker_loops: tuple[Literal["deciders", "projectors"], ...] = Field(
        ("deciders", "projectors"), min_length=1,
        description="The loops this worker process runs: both, or one of them (to give each its own process)")
    worker_index: int = Field(0, ge=0, description="This worker process's number on the host: its store folder and "
                                                   "transactional ids")
    worker_batch_max_records: int = Field(2000, ge=1, description="Most records a worker loop takes into one batch "
                                                                  "(one transaction, one bulk request)")
    worker_transaction_timeout_s: float = Field(
        30.0, gt=0, description="How long the broker lets a worker's transaction stay open before aborting it")
    worker_cached_values: int = Field(10_000, ge=0, description="Parsed values a worker keeps per store")
    worker_block_cache_bytes: int = Field(64 * 1024 * 1024, ge=0,
                                          description="RocksDB block cache the worker's stores share")
    worker_memtables_bytes: int = Field(64 * 1024 * 1024, ge=1024 * 1024,
                                        description="Memory all of a worker process's stores may hold in memtables "
                                                    "before they flush to disk")
    max_record_bytes: int = Field(1_000_000, ge=10_000, description="Largest record a producer of the project sends")

    # Behaviour.
    max_wait_s: float = Field(30.0, description="Longest ?wait= a command may ask for")
    publish_timeout_s: float = Field(
        5.0, gt=0, le=300,
        description="How long the command API waits for Kafka to store a command before it answers 503 (librdkafka's "
                    "delivery timeout)",
    )
    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest request body of a single command (413 above)")
    max_batch_bytes: int = Field(512 * 1_048_576, ge=1024, description="Largest NDJSON body of POST /commands/batch (413 above)")
    max_discarded_body_bytes: int = Field(
        64 * 1_048_576, ge=0,
        description="How much of a too-large body is read and dropped so that the client, still sending, receives the "
                    "413 (a larger one closes the connection)",
    )
    log_level: str = Field("info", description="Log level of the services")
    low_stock_threshold: int = Field(5, ge=0, description="A SKU is low on stock when its available quantity is at most this")
    low_stock_thresholds: dict[str, int] = Field(
        default_factory=dict, description='Per-SKU low-stock thresholds overriding the default, e.g. {"SKU-100": 20}',
    )

    @model_validator(mode="before")
    @classmethod
    def _test_profile_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("profile") != "test":
            return data
        return {**test_profile_defaults(), **data}

    @model_validator(mode="after")
    def _credentials_fit(self) -> "Settings":
        _check_kafka_credentials(self)
        _check_elasticsearch_credentials(self)
        return self

    def as_env(self) -> dict[str, str]:
        """These settings as ``ORDERFLOW_*`` variables, so child processes run with exactly the same ones (secrets
        in plain text: the environment is the child's only way to receive them)."""
        env: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, dict | list | tuple):
                value = json.dumps(_plain(value))
            env[f"ORDERFLOW_{name.upper()}"] = str(_plain(value))
        return env

    def open_to_all(self, host: str) -> bool:
        """An API on ``host`` would be open to anyone who reaches it, and ``auth`` does not allow that."""
        return not (self.api_keys or self.auth == "off" or is_loopback(host))

    def open_apis(self) -> list[str]:
        hosts = {"command API": self.command_api_host, "query API": self.query_api_host}
        return [f"{name} on {host}" for name, host in hosts.items() if self.open_to_all(host)]

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.data_dir / "run"

    def browser_origins(self) -> tuple[str, ...]:
        """Where the console is served from: the origins the command API answers cross-origin requests for."""
        port = self.query_api_port
        return self.console_origins or (f"http://127.0.0.1:{port}", f"http://localhost:{port}")

    def java_bin(self) -> str:
        return str(self.java_home / "bin" / "java") if self.java_home else "java"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to any address
        return False


def test_profile_defaults() -> dict[str, Any]:
    """What the test profile changes, for every setting not given explicitly."""
    ports = {name: Settings.model_fields[name].default + TEST_PORT_OFFSET for name in PORT_FIELDS}
    data_dir = _default_data_dir()
    return {
        **ports,
        "data_dir": data_dir.with_name(data_dir.name + TEST_DATA_DIR_SUFFIX),
        "kafka_bootstrap": f"127.0.0.1:{ports['kafka_port']}",
        # The tests of the clients against an authenticating broker connect through it.
        "kafka_sasl_port": ports["kafka_port"] + 2,
        "elasticsearch_url": f"http://127.0.0.1:{ports['elasticsearch_port']}",
    }

def _check_kafka_credentials(settings: Settings) -> None:
    sasl = settings.kafka_security_protocol.startswith("SASL_")
    given = settings.kafka_username is not None or settings.kafka_password is not None
    if sasl and (not settings.kafka_username or settings.kafka_password is None):
        raise ValueError(f"ORDERFLOW_KAFKA_SECURITY_PROTOCOL={settings.kafka_security_protocol} needs both "
                         "ORDERFLOW_KAFKA_USERNAME and ORDERFLOW_KAFKA_PASSWORD")
    if given and not sasl:
        raise ValueError("ORDERFLOW_KAFKA_USERNAME/ORDERFLOW_KAFKA_PASSWORD are only used with a SASL_PLAINTEXT or "
                         f"SASL_SSL ORDERFLOW_KAFKA_SECURITY_PROTOCOL, not {settings.kafka_security_protocol}")
    if settings.kafka_ca_file is not None and not settings.kafka_security_protocol.endswith("SSL"):
        raise ValueError("ORDERFLOW_KAFKA_CA_FILE is only used with an SSL or SASL_SSL "
                         f"ORDERFLOW_KAFKA_SECURITY_PROTOCOL, not {settings.kafka_security_protocol}")


def _check_elasticsearch_credentials(settings: Settings) -> None:
    basic = settings.elasticsearch_username is not None or settings.elasticsearch_password is not None
    if basic and (not settings.elasticsearch_username or settings.elasticsearch_password is None):
        raise ValueError("Elasticsearch basic auth needs both ORDERFLOW_ELASTICSEARCH_USERNAME and "
                         "ORDERFLOW_ELASTICSEARCH_PASSWORD")
    if basic and settings.elasticsearch_api_key is not None:
        raise ValueError("ORDERFLOW_ELASTICSEARCH_API_KEY and ORDERFLOW_ELASTICSEARCH_USERNAME/PASSWORD exclude each "
                         "other: choose one way to authenticate")
    if settings.elasticsearch_ca_file is not None and settings.elasticsearch_ssl_fingerprint:
        raise ValueError("ORDERFLOW_ELASTICSEARCH_CA_FILE and ORDERFLOW_ELASTICSEARCH_SSL_FINGERPRINT exclude each "
                         "other: choose one way to check the server's certificate")
