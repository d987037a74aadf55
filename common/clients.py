"""The one place where settings become client options: Kafka (librdkafka and Faust) and Elasticsearch.

Every process and tool builds its clients from these, so a cluster that needs TLS or credentials is reached the
same way by all of them.
"""

import ssl
from typing import TYPE_CHECKING, Any

from common.settings import CommonSettings

if TYPE_CHECKING:
    from faust.types.auth import CredentialsT


def kafka_options(settings: CommonSettings) -> dict[str, Any]:
    """librdkafka configuration that reaches the cluster: bootstrap servers, security protocol and credentials.
    Holds the password in plain text (librdkafka needs it so): never log it."""
    options: dict[str, Any] = {
        "bootstrap.servers": settings.kafka_bootstrap,
        "security.protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_security_protocol.startswith("SASL_"):
        assert settings.kafka_password is not None  # checked by the settings
        options["sasl.mechanism"] = settings.kafka_sasl_mechanism
        options["sasl.username"] = settings.kafka_username
        options["sasl.password"] = settings.kafka_password.get_secret_value()
    if settings.kafka_ca_file is not None:
        options["ssl.ca.location"] = str(settings.kafka_ca_file)
    return options


def kafka_ssl_context(settings: CommonSettings) -> ssl.SSLContext | None:
    """The TLS context of a Python Kafka client (Faust), for the SSL protocols; ``None`` without TLS."""
    if not settings.kafka_security_protocol.endswith("SSL"):
        return None
    cafile = str(settings.kafka_ca_file) if settings.kafka_ca_file is not None else None
    return ssl.create_default_context(purpose=ssl.Purpose.SERVER_AUTH, cafile=cafile)


def faust_broker_credentials(settings: CommonSettings) -> "CredentialsT | None":
    """Faust's ``broker_credentials``: SASL (with a TLS context for SASL_SSL) or TLS alone; ``None`` for PLAINTEXT."""
    # Imported here: only the worker runs Faust, and importing it costs the other processes a second.
    from faust.auth import SASLCredentials, SSLCredentials

    context = kafka_ssl_context(settings)
    if settings.kafka_security_protocol.startswith("SASL_"):
        assert settings.kafka_password is not None  # checked by the settings
        return SASLCredentials(username=settings.kafka_username, password=settings.kafka_password.get_secret_value(),
                               ssl_context=context, mechanism=settings.kafka_sasl_mechanism)
    return SSLCredentials(context) if context is not None else None


def elasticsearch_hosts(settings: CommonSettings) -> list[str]:
    """The nodes ``elasticsearch_url`` lists (comma-separated): a client spreads its requests over them and goes on
    with the others when one is down."""
    return [url.strip() for url in settings.elasticsearch_url.split(",") if url.strip()]


def elasticsearch_options(settings: CommonSettings) -> dict[str, Any]:
    """Keyword arguments of ``Elasticsearch``/``AsyncElasticsearch`` that reach the cluster: its URL, credentials
    (API key or basic auth) and how its certificate is checked (CA file or fingerprint). Add timeouts at the call."""
    options: dict[str, Any] = {"hosts": elasticsearch_hosts(settings)}
    if settings.elasticsearch_api_key is not None:
        options["api_key"] = settings.elasticsearch_api_key.get_secret_value()
    if settings.elasticsearch_username is not None and settings.elasticsearch_password is not None:
        options["basic_auth"] = (settings.elasticsearch_username, settings.elasticsearch_password.get_secret_value())
    if settings.elasticsearch_ca_file is not None:
        options["ca_certs"] = str(settings.elasticsearch_ca_file)
    if settings.elasticsearch_ssl_fingerprint:
        options["ssl_assert_fingerprint"] = settings.elasticsearch_ssl_fingerprint
    return options
