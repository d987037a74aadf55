# One image for every orderflow process. The default command runs the command API;
# docker-compose.yml (or `docker run ... <command>`) selects the others:
#   python -m producers    command API   (ORDERFLOW_COMMAND_API_PORT, default 8000, /health)
#   python -m query_api    query API     (ORDERFLOW_QUERY_API_PORT,   default 8001, /health)
#   python -m streams      Faust worker  (ORDERFLOW_WORKER_WEB_PORT,  default 6066, /health)
#   orderflow init         create the missing topics and indexes, then exit
# Configuration comes only from ORDERFLOW_* environment variables (common/settings.py).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Every dependency ships manylinux wheels for CPython 3.11 (confluent-kafka, rocksdict,
# faust-streaming, ...), so no compiler is needed. The source tree is removed after the
# install: the processes run the installed package, as users of the wheel would.
COPY pyproject.toml /tmp/src/
COPY schemas /tmp/src/schemas
COPY domain /tmp/src/domain
COPY common /tmp/src/common
COPY producers /tmp/src/producers
COPY streams /tmp/src/streams
COPY query_api /tmp/src/query_api
COPY ops /tmp/src/ops
RUN cd /tmp/src \
    && pip install . \
    && cd / \
    && rm -rf /tmp/src

# Non-root user; ORDERFLOW_DATA_DIR (worker tables, logs) lives in a folder it owns,
# so a named volume mounted there inherits that ownership.
RUN useradd --system --create-home --home-dir /home/orderflow --uid 10001 --user-group orderflow \
    && mkdir -p /var/lib/orderflow \
    && chown orderflow:orderflow /var/lib/orderflow

ENV ORDERFLOW_DATA_DIR=/var/lib/orderflow
USER orderflow
WORKDIR /home/orderflow

EXPOSE 8000 8001
CMD ["python", "-m", "producers"]
