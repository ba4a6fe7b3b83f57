# syntax=docker/dockerfile:1
# Kanaria's container image: `kanaria serve` on Node 24 LTS, as a non-root user, with its SQLite database
# on the /data volume. The steps live in scripts/container/ (build.sh, start.sh, healthcheck.mjs) so that
# test/container runs them without a Docker engine. Configuration: /etc/kanaria/kanaria.yaml (copy your
# folder there in an image built FROM this one, or mount it), with `store.path: /data/kanaria.db`.
# See the README, "Running Kanaria on ECS".
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Compilers for better-sqlite3's native addon: in this stage only.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN sh scripts/container/build.sh /src /opt/kanaria

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
  KANARIA_DATA=/data \
  PATH=/opt/kanaria/bin:$PATH
COPY --from=build /opt/kanaria /opt/kanaria
# The image's `node` user (uid 1000) owns the data folder; the database is created 0600 in it.
RUN mkdir -p /data /etc/kanaria \
  && chown node:node /data \
  && chmod 0700 /data
USER node
WORKDIR /etc/kanaria
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/opt/kanaria/bin/kanaria-healthcheck"]
ENTRYPOINT ["/opt/kanaria/bin/kanaria-start"]
CMD ["serve"]
