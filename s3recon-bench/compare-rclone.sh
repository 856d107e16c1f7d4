#!/usr/bin/env bash
# Reconciles N vs N synthetic objects with s3recon and with `rclone check`, one after the other,
# against one SyntheticS3 server in a process of its own, and prints each client's wall time and
# peak memory (maximum resident set size). Needs Debian's rclone and GNU time (`apt-get install
# rclone time`) and the benchmarks jar (`./mvnw -B -q -pl s3recon-bench -am package -DskipTests`).
#
#   s3recon-bench/compare-rclone.sh [objects=1000000] [ranges=32] [xmx=256m] [lister=fast]
#
# JAVA_OPTS adds JVM options for s3recon, e.g. JAVA_OPTS=-XX:+UseSerialGC: with a heap this small,
# G1's own structures (about 45 MiB here) are a large part of the resident set.
set -euo pipefail
cd "$(dirname "$0")/.."
objects=${1:-1000000}
ranges=${2:-32}
xmx=${3:-256m}
lister=${4:-fast}
port=${PORT:-9477}
jar=s3recon-bench/target/benchmarks.jar

java -Xmx512m -cp "$jar" io.github.s3recon.bench.SyntheticServer --objects "$objects" --port "$port" \
    > /tmp/s3recon-synthetic-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "SyntheticS3 at" /tmp/s3recon-synthetic-server.log 2>/dev/null && break
  sleep 0.2
done
cat /tmp/s3recon-synthetic-server.log

echo "== s3recon (ranges $ranges, -Xmx$xmx ${JAVA_OPTS:-}, $lister lister)"
# shellcheck disable=SC2086 # JAVA_OPTS holds several options
/usr/bin/time -f "s3recon: wall %e s, max RSS %M KiB" java -Xmx"$xmx" ${JAVA_OPTS:-} -cp "$jar" \
    io.github.s3recon.bench.ScaleHarness --objects "$objects" --ranges "$ranges" --lister "$lister" \
    --endpoint "http://127.0.0.1:$port"

echo "== rclone check (default settings)"
export RCLONE_CONFIG_SYN_TYPE=s3 RCLONE_CONFIG_SYN_PROVIDER=Other \
    RCLONE_CONFIG_SYN_ENDPOINT="http://127.0.0.1:$port" RCLONE_CONFIG_SYN_ACCESS_KEY_ID=synthetic \
    RCLONE_CONFIG_SYN_SECRET_ACCESS_KEY=synthetic RCLONE_CONFIG_SYN_FORCE_PATH_STYLE=true
# rclone exits 1 when it finds differences, which is the point here.
env -u AWS_CA_BUNDLE /usr/bin/time -f "rclone: wall %e s, max RSS %M KiB" \
    rclone check syn:synthetic-source syn:synthetic-destination 2>&1 | grep -v " ERROR : " || true
