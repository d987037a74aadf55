"""The local broker's optional SASL_PLAINTEXT listener (``ORDERFLOW_KAFKA_SASL_PORT``), with SCRAM-SHA-256 and
SCRAM-SHA-512 for one user, so that authenticated clients can be tried against a broker of our own."""

from confluent_kafka.admin import AdminClient

# From their own module: confluent_kafka.admin imports them without listing them as exported, which mypy refuses.
from confluent_kafka.admin._scram import (
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialAlteration,
    UserScramCredentialUpsertion,
)

from common.clients import kafka_options
from common.settings import KafkaSaslMechanism
from ops.launcher.errors import LauncherError
from ops.launcher.processes import wait_until
from ops.settings import Settings

LISTENER = "SASL_PLAINTEXT"
MECHANISMS: dict[KafkaSaslMechanism, ScramMechanism] = {
    "SCRAM-SHA-256": ScramMechanism.SCRAM_SHA_256, "SCRAM-SHA-512": ScramMechanism.SCRAM_SHA_512}
SCRAM_ITERATIONS = 8192
READY_TIMEOUT_S = 30.0


def sasl_listeners(port: int) -> list[str]:
    """A broker's SASL listener on ``port`` as ``listeners`` and ``advertised.listeners`` name it; none for 0."""
    return [f"{LISTENER}://127.0.0.1:{port}"] if port else []


def sasl_protocols(port: int) -> list[str]:
    """The SASL listener's entry of ``listener.security.protocol.map``."""
    return [f"{LISTENER}:SASL_PLAINTEXT"] if port else []


def sasl_properties(port: int) -> list[str]:
    """The listener's own lines of server.properties: its protocol, mechanisms and login modules."""
    if not port:
        return []
    prefix = f"listener.name.{LISTENER.lower()}"
    # The broker's side of SCRAM needs a login module per mechanism, even with no credentials of its own: the
    # broker and its controller talk over PLAINTEXT.
    modules = [f"{prefix}.{mechanism.lower()}.sasl.jaas.config="
               "org.apache.kafka.common.security.scram.ScramLoginModule required;" for mechanism in MECHANISMS]
    return [f"{prefix}.sasl.enabled.mechanisms={','.join(MECHANISMS)}", *modules]


def sasl_client_settings(settings: Settings, mechanism: KafkaSaslMechanism = "SCRAM-SHA-512") -> Settings:
    """``settings`` of a process that reaches the local broker through the SASL listener as its SCRAM user."""
    return settings.model_copy(update={
        "kafka_bootstrap": f"127.0.0.1:{settings.kafka_sasl_port}",
        "kafka_security_protocol": "SASL_PLAINTEXT",
        "kafka_sasl_mechanism": mechanism,
        "kafka_username": settings.kafka_sasl_port_username,
        "kafka_password": settings.kafka_sasl_port_password,
    })


def ensure_scram_user(admin: AdminClient, settings: Settings) -> None:
    """Create (or update) the SCRAM user of the SASL listener for both mechanisms, through ``admin`` (a client of
    the PLAINTEXT listener); a no-op without the listener, or when the listener already accepts the user (the
    credentials live in the cluster's metadata, so only a new broker or a new password needs them written)."""
    if not settings.kafka_sasl_port or _user_accepted(settings):
        return
    user, password = settings.kafka_sasl_port_username, settings.kafka_sasl_port_password.get_secret_value().encode()
    # One request per mechanism: the broker refuses to alter one user's credentials twice in the same request.
    for mechanism in MECHANISMS.values():
        upsert: UserScramCredentialAlteration = UserScramCredentialUpsertion(
            user, ScramCredentialInfo(mechanism, SCRAM_ITERATIONS), password)
        for future in admin.alter_user_scram_credentials([upsert]).values():
            try:
                future.result()
            except Exception as error:  # noqa: BLE001 - re-raised with what failed
                raise LauncherError(f"could not create the SCRAM user {user} of the local broker: {error}") from error
    if not wait_until(lambda: _user_accepted(settings), READY_TIMEOUT_S, interval_s=0.5):
        raise LauncherError(f"the SASL listener on 127.0.0.1:{settings.kafka_sasl_port} does not accept the user "
                            f"{user}")


def _user_accepted(settings: Settings) -> bool:
    return all(_authenticates(settings, mechanism) for mechanism in MECHANISMS)


def _authenticates(settings: Settings, mechanism: KafkaSaslMechanism) -> bool:
    """Whether the listener knows the user's credential for ``mechanism`` (a new one takes a moment to apply)."""
    client = AdminClient({**kafka_options(sasl_client_settings(settings, mechanism)), "log_level": 0})
    try:
        return bool(client.list_topics(timeout=2).brokers)
    except Exception:  # noqa: BLE001 - refused or not yet listening: not ready
        return False
