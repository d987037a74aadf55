"""Configuration, read from the environment (prefix ``ORDERFLOW_``) or a ``.env`` file: what every process reads
(``CommonSettings``) and what both APIs read (``ApiSettings``). Each process has its own class on top
(``producers.settings``, ``query_api.settings``, ``streams.settings``); the launcher and the tools read them all
(``ops.settings.Settings``) and hand each child process its values through ``as_env``."""

import ipaddress
import json
import os
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    if os.geteuid() == 0:
        return Path("/var/lib/orderflow")
    return Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "orderflow"


# The settings a test profile moves: each port goes up by TEST_PORT_OFFSET and the data folder gets a suffix, so the
# stack `make test` runs never shares a broker, an index or a table with the system `make run` started.
TEST_PORT_OFFSET = 10_000
TEST_DATA_DIR_SUFFIX = "-test"
# The system's ports on 127.0.0.1.
DEFAULT_PORTS = {"kafka_port": 9092, "kafka_controller_port": 9093, "elasticsearch_port": 9200, "command_api_port": 8000,
                 "query_api_port": 8001, "worker_web_port": 6066}
PORT_FIELDS = tuple(DEFAULT_PORTS)
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


class CommonSettings(BaseSettings):
    # Errors name the setting but never repeat the values given: those include passwords.
    model_config = SettingsConfigDict(env_prefix="ORDERFLOW_", env_file=".env", extra="ignore",
                                      hide_input_in_errors=True)

    profile: Profile = Field(
        "system", description="`test`: the stack the test command runs, apart from the system's — its own data folder "
                              f"(the default one with `{TEST_DATA_DIR_SUFFIX}`) and ports (each default "
                              f"+ {TEST_PORT_OFFSET}), and a broker with its SCRAM listener on (ORDERFLOW_KAFKA_SASL_PORT, "
                              f"{9092 + TEST_PORT_OFFSET + 2}); settings given explicitly still win")
    kafka_bootstrap: str = Field(f"127.0.0.1:{DEFAULT_PORTS['kafka_port']}", description="Kafka bootstrap servers")
    elasticsearch_url: str = Field(f"http://127.0.0.1:{DEFAULT_PORTS['elasticsearch_port']}",
                                   description="Elasticsearch URL, or several nodes' URLs comma-separated")
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
    data_dir: Path = Field(default_factory=_default_data_dir, description="Broker, index and table data, logs and pid files")
    worker_id: str = Field("orderflow", description="Faust application id (consumer group, table topics)")
    max_record_bytes: int = Field(1_000_000, ge=10_000, description="Largest record a producer of the project sends")
    log_level: str = Field("info", description="Log level of the services")

    @model_validator(mode="before")
    @classmethod
    def _test_profile_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("profile") != "test":
            return data
        return {**test_profile_defaults(), **data}

    @model_validator(mode="after")
    def _credentials_fit(self) -> "CommonSettings":
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

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.data_dir / "run"


class ApiSettings(CommonSettings):
    """What both HTTP APIs read: where each listens (the console of one calls the other) and the callers' keys."""

    command_api_host: str = Field("127.0.0.1", description="Command API bind address")
    command_api_port: int = Field(DEFAULT_PORTS["command_api_port"], description="Command API port")
    query_api_host: str = Field("127.0.0.1", description="Query API bind address")
    query_api_port: int = Field(DEFAULT_PORTS["query_api_port"], description="Query API port")
    api_keys: dict[str, ApiKey] = Field(
        default_factory=dict,
        description='API keys by name, e.g. {"shop": {"key": "…", "scopes": ["write"]}} or {"ops": "…"} (all scopes); '
                    'empty: no auth',
    )
    auth: Literal["on", "off"] = Field(
        "on", description="`off` lets an API listen on an address other than loopback with no API keys, open to anyone "
                          "who reaches it; with `on` such an API refuses to start")

    def open_to_all(self, host: str) -> bool:
        """An API on ``host`` would be open to anyone who reaches it, and ``auth`` does not allow that."""
        return not (self.api_keys or self.auth == "off" or is_loopback(host))

    def open_apis(self) -> list[str]:
        hosts = {"command API": self.command_api_host, "query API": self.query_api_host}
        return [f"{name} on {host}" for name, host in hosts.items() if self.open_to_all(host)]

def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to any address
        return False


def test_profile_defaults() -> dict[str, Any]:
    """What the test profile changes, for every setting not given explicitly."""
    ports = {name: port + TEST_PORT_OFFSET for name, port in DEFAULT_PORTS.items()}
    data_dir = _default_data_dir()
    return {
        **ports,
        "data_dir": data_dir.with_name(data_dir.name + TEST_DATA_DIR_SUFFIX),
        "kafka_bootstrap": f"127.0.0.1:{ports['kafka_port']}",
        # The tests of the clients against an authenticating broker connect through it.
        "kafka_sasl_port": ports["kafka_port"] + 2,
        "elasticsearch_url": f"http://127.0.0.1:{ports['elasticsearch_port']}",
    }

def _check_kafka_credentials(settings: CommonSettings) -> None:
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


def _check_elasticsearch_credentials(settings: CommonSettings) -> None:
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
