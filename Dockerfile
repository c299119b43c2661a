# kaudit in a container, for deploy/ (the image name there is ghcr.io/example/kaudit:0.1.0).
# UNTESTED HERE: no container engine runs on the machines kaudit is developed on (README,
# In-cluster deployment). Build from the repository root:
#   docker build -t ghcr.io/example/kaudit:0.1.0 .
# The base is pinned to an exact release; pin its digest too when you first pull it
# (python:3.12.8-slim-bookworm@sha256:…), so rebuilds are reproducible.
FROM python:3.12.8-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY kaudit ./kaudit
COPY rules ./rules
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12.8-slim-bookworm
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --uid 65532 --no-create-home --shell /usr/sbin/nologin kaudit
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# Non-root, matching runAsUser in deploy/; the root filesystem can be read-only.
USER 65532:65532
EXPOSE 9847
ENTRYPOINT ["kaudit"]
CMD ["--help"]
