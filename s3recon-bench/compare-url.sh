#!/usr/bin/env bash
# Copies the same URLs from a local HTTP server of generated files (UrlFileServer, in a process of
# its own) into one embedded S3 server (Adobe S3Mock, in a process of its own) with s3recon
# (`Migration.run()` of a UrlManifestSource: copy + verification listing, UrlHarness) and with
# rclone (its http backend with --files-from), one after the other, and prints each one's wall
# time, objects/s, MB/s and peak memory (GNU time's max RSS). Needs Debian's rclone and GNU time,
# and the benchmarks jar, built without installing anything:
#   ./mvnw -B -q -o -pl s3recon-bench -am package -DskipTests
#
#   s3recon-bench/compare-url.sh [small=20000] [small-kib=50] [large=20] [large-mib=64] [rclone-transfers=16]
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-20000}
small_kib=${2:-50}
large=${3:-20}
large_mib=${4:-64}
transfers=${5:-16}
jar=s3recon-bench/target/benchmarks.jar
out=$(mktemp -d /tmp/s3recon-url-bench.XXXXXX)
s3log=$out/s3.log
httplog=$out/http.log

./mvnw -B -q -o -pl s3recon-bench dependency:build-classpath -Dmdep.outputFile=/tmp/s3recon-bench.classpath >/dev/null
java -Xmx2g -cp "s3recon-bench/target/classes:$(cat /tmp/s3recon-bench.classpath)" \
    io.github.s3recon.bench.EmbeddedServer > "$s3log" 2>&1 &
s3=$!
java -Xmx256m -cp "$jar" io.github.s3recon.bench.UrlFileServer "$out" "$small" "$small_kib" "$large" "$large_mib" \
    > "$httplog" 2>&1 &
http=$!
trap 'kill $s3 $http 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 1 300); do
  grep -q "EmbeddedS3 at" "$s3log" 2>/dev/null && grep -q "UrlFileServer at" "$httplog" 2>/dev/null && break
  sleep 0.2
done
endpoint=$(sed -n 's/^EmbeddedS3 at //p' "$s3log" | tr -d '/\r' | sed 's|http:|http://|')
base=$(sed -n 's/^UrlFileServer at //p' "$httplog")
echo "S3: $endpoint  HTTP: $base  ($small x ${small_kib} KiB, $large x ${large_mib} MiB)"

/usr/bin/time -f "s3recon: wall %e s, max RSS %M KiB" \
    java -Xmx512m -cp "$jar" io.github.s3recon.bench.UrlHarness "$out/urls.txt" "$endpoint" url-s3recon SIZE

export RCLONE_CONFIG_A_TYPE=s3 RCLONE_CONFIG_A_PROVIDER=Other RCLONE_CONFIG_A_ENDPOINT="$endpoint" \
    RCLONE_CONFIG_A_ACCESS_KEY_ID=s3recon-test-access-key RCLONE_CONFIG_A_SECRET_ACCESS_KEY=s3recon-test-secret-key \
    RCLONE_CONFIG_A_FORCE_PATH_STYLE=true RCLONE_CONFIG_A_REGION=us-east-1
env -u AWS_CA_BUNDLE rclone mkdir a:url-rclone
env -u AWS_CA_BUNDLE /usr/bin/time -f "rclone: wall %e s, max RSS %M KiB" \
    rclone copy --http-url "$base" :http: a:url-rclone --files-from "$out/files.txt" --transfers "$transfers" \
    --s3-no-check-bucket --stats-one-line --stats 0 2>&1 | tail -3
