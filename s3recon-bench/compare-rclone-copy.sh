#!/usr/bin/env bash
# Copies the same data on one embedded S3 server (Adobe S3Mock, in a process of its own) with
# s3recon (`Migration.run()`: copy + verification listing) and with `rclone copy`, side by side,
# and prints each one's wall time and peak memory. Two data sets: 2,000 objects of 100 KiB
# (objects/s) and 8 objects of 256 MiB (MB/s); each copied within the endpoint (server-side for
# both tools) and relayed (two endpoint URLs of the one server: both tools stream the bytes).
# Needs Debian's rclone and GNU time, and the benchmarks jar
# (`./mvnw -B -q -pl s3recon-bench -am install -DskipTests`).
#
#   s3recon-bench/compare-rclone-copy.sh [small-objects=2000] [large-objects=8] [rclone-transfers=4]
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-2000}
large=${2:-8}
transfers=${3:-4}
jar=s3recon-bench/target/benchmarks.jar
log=/tmp/s3recon-embedded-server.log

# S3Mock is a Spring Boot application, which does not survive shading: run it from the module's
# class path instead of the benchmarks jar.
./mvnw -B -q -o -pl s3recon-bench dependency:build-classpath -Dmdep.outputFile=/tmp/s3recon-bench.classpath >/dev/null
java -Xmx3g -cp "s3recon-bench/target/classes:$(cat /tmp/s3recon-bench.classpath)" \
    io.github.s3recon.bench.EmbeddedServer > "$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  grep -q "EmbeddedS3 at" "$log" 2>/dev/null && break
  sleep 0.2
done
endpoint=$(sed -n 's/^EmbeddedS3 at //p' "$log" | tr -d '/\r' | sed 's|http:|http://|')
echo "server: $endpoint"
harness() { java -Xmx512m -cp "$jar" io.github.s3recon.bench.CopyHarness --endpoint "$endpoint" "$@"; }
harness --seed small --objects "$small" --size-kib 100
harness --seed large --objects "$large" --size-kib $((256 * 1024))

export RCLONE_CONFIG_A_TYPE=s3 RCLONE_CONFIG_A_PROVIDER=Other RCLONE_CONFIG_A_ENDPOINT="$endpoint" \
    RCLONE_CONFIG_A_ACCESS_KEY_ID=s3recon-test-access-key RCLONE_CONFIG_A_SECRET_ACCESS_KEY=s3recon-test-secret-key \
    RCLONE_CONFIG_A_FORCE_PATH_STYLE=true RCLONE_CONFIG_A_REGION=us-east-1
export RCLONE_CONFIG_B_TYPE=s3 RCLONE_CONFIG_B_PROVIDER=Other RCLONE_CONFIG_B_ENDPOINT="${endpoint/127.0.0.1/localhost}" \
    RCLONE_CONFIG_B_ACCESS_KEY_ID=s3recon-test-access-key RCLONE_CONFIG_B_SECRET_ACCESS_KEY=s3recon-test-secret-key \
    RCLONE_CONFIG_B_FORCE_PATH_STYLE=true RCLONE_CONFIG_B_REGION=us-east-1
rclone_copy() {
  env -u AWS_CA_BUNDLE /usr/bin/time -f "rclone copy $1 -> $2: wall %e s, max RSS %M KiB" \
      rclone copy "$1" "$2" --transfers "$transfers" --s3-no-check-bucket 2>&1 | tail -3
}
run_s3recon() {
  /usr/bin/time -f "s3recon: wall %e s, max RSS %M KiB" \
      java -Xmx512m -cp "$jar" io.github.s3recon.bench.CopyHarness --endpoint "$endpoint" "$@"
}

for set in small large; do
  echo "== $set, same endpoint"
  run_s3recon --copy "$set" --to "$set-s3recon"
  env -u AWS_CA_BUNDLE rclone mkdir "a:$set-rclone"
  rclone_copy "a:$set" "a:$set-rclone"
  echo "== $set, relayed"
  run_s3recon --copy "$set" --to "$set-s3recon-relay" --relay true
  env -u AWS_CA_BUNDLE rclone mkdir "a:$set-rclone-relay"
  rclone_copy "a:$set" "b:$set-rclone-relay"
done
