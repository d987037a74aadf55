"""The worker's settings."""

from typing import Literal

from pydantic import Field

from common.settings import DEFAULT_PORTS, CommonSettings


class WorkerSettings(CommonSettings):
    worker_web_port: int = Field(DEFAULT_PORTS["worker_web_port"], description="Faust worker web port (health)")
    replication_factor: int = Field(1, ge=1, description="Replication factor of every topic")
    worker_session_timeout_s: float = Field(
        10.0, description="Kafka session timeout of the worker: how soon a crashed worker's partitions move")
    worker_producer_linger_s: float = Field(
        0.005, ge=0, le=1,
        description="How long the worker's producer gathers records into one request before its transaction "
                    "commits (a commit sends what lingers at once)",
    )
    worker_loops: tuple[Literal["deciders", "projectors"], ...] = Field(
        ("deciders", "projectors"), min_length=1,
        description="The loops this worker process runs: both, or one of them (to give each its own process)")
    worker_index: int = Field(0, ge=0, description="This worker process's number on the host: its store folder and "
                                                   "transactional ids")
    worker_batch_max_records: int = Field(2000, ge=1, description="Most records a worker loop takes into one batch "
                                                                  "(one transaction, one bulk request)")
    worker_batch_interval_s: float = Field(
        0.1, ge=0, le=5,
        description="Shortest time between the starts of a loop's batches: under a light load a batch waits this "
                    "long for more records, so that Kafka commits a few transactions a second instead of one per "
                    "handful of records (under a heavy load batches take longer than this anyway)")
    worker_transaction_timeout_s: float = Field(
        30.0, gt=0, description="How long the broker lets a worker's transaction stay open before aborting it")
    worker_cached_values: int = Field(5_000, ge=0, description="Parsed values a worker keeps per store")
    worker_block_cache_bytes: int = Field(64 * 1024 * 1024, ge=0,
                                          description="RocksDB block cache the worker's stores share")
    worker_memtables_bytes: int = Field(64 * 1024 * 1024, ge=1024 * 1024,
                                        description="Memory all of a worker process's stores may hold in memtables "
                                                    "before they flush to disk")
