"""What every process and the tooling share: settings, web middleware, Kafka client configuration, consumer lag,
the dead-letter topic. Imports only ``schemas``, ``domain``, the standard library and third-party packages."""
