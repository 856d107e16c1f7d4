#!/usr/bin/env bash
# Copies the same URLs from a local HTTP server of generated files (UrlFileServer, in a process of
# its own) into one embedded S3 server (Adobe S3Mock, in a process of its own) with s3recon
# (`Migration.run()` of a UrlManifestSource: copy + verification listing, UrlHarness) and with
# rclone (its http backend with --files-from), one after the other, and prints each one's wall
# time, objects/s, MB/s and peak memory (GNU time's max RSS), and how many objects and bytes each
# left in its bucket (counted with `rclone size`). Needs Debian's rclone and GNU time,
# and the benchmarks jar, built without installing anything:
#   ./mvnw -B -q -o -pl s3recon-bench -am package -DskipTests
#
#   JAVA_OPTS="-Xmx512m" (the s3recon JVM; e.g. -Ds3recon.relay.concurrency=64)
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

# S3Mock (Spring Boot) does not run from the shaded jar: the embedded server gets the module's
# classpath, from the dependency plugin, or, offline without the plugin's own dependencies, from the
# resolved dependency tree (compile and runtime scopes) that a debug build prints.
if ./mvnw -B -q -o -pl s3recon-bench dependency:build-classpath -Dmdep.outputFile="$out/classpath" >/dev/null 2>&1; then
  classpath=$(cat "$out/classpath")
else
  classpath=$(./mvnw -B -o -X -pl s3recon-bench compile 2>/dev/null | awk -v repo="${MAVEN_REPO:-$HOME/.m2/repository}" '
    /^\[DEBUG\] io\.github\.s3recon:s3recon-bench:jar/ { on = 1; next }
    on && !/^\[DEBUG\]    +[^ ]+:[^ ]+:[^ ]+:[^ ]+/ { exit }
    on { n = split($2, p, ":"); if (p[n] != "compile" && p[n] != "runtime") next
         g = p[1]; a = p[2]; if (n == 6) { cl = "-" p[4]; v = p[5] } else { cl = ""; v = p[4] }
         gsub(/\./, "/", g); printf "%s%s/%s/%s/%s/%s-%s%s.jar", sep, repo, g, a, v, a, v, cl; sep = ":" }')
fi
[ -n "$classpath" ] || { echo "no classpath for the embedded S3 server" >&2; exit 1; }
# Each tool writes into an S3Mock of its own, started empty: S3Mock slows down as its store fills
# (rclone, run second into the store s3recon had filled with 20,020 objects, had not finished
# after 6 minutes), so one shared server would favour whichever tool runs first.
s3=""
start_s3() {
  [ -z "$s3" ] || { kill "$s3" 2>/dev/null || true; wait "$s3" 2>/dev/null || true; }
  : > "$s3log"
  java -Xmx2g -cp "s3recon-bench/target/classes:$classpath" \
      io.github.s3recon.bench.EmbeddedServer > "$s3log" 2>&1 &
  s3=$!
  for _ in $(seq 1 600); do # up to 2 minutes: S3Mock starts slowly on a loaded machine
    grep -q "EmbeddedS3 at" "$s3log" 2>/dev/null && break
    sleep 0.2
  done
  endpoint=$(sed -n 's/^EmbeddedS3 at //p' "$s3log" | tr -d '/\r' | sed 's|http:|http://|')
  [ -n "$endpoint" ] || { echo "S3Mock did not start:" >&2; cat "$s3log" >&2; exit 1; }
  export RCLONE_CONFIG_A_TYPE=s3 RCLONE_CONFIG_A_PROVIDER=Other RCLONE_CONFIG_A_ENDPOINT="$endpoint" \
      RCLONE_CONFIG_A_ACCESS_KEY_ID=s3recon-test-access-key RCLONE_CONFIG_A_SECRET_ACCESS_KEY=s3recon-test-secret-key \
      RCLONE_CONFIG_A_FORCE_PATH_STYLE=true RCLONE_CONFIG_A_REGION=us-east-1
}
java -Xmx256m -cp "$jar" io.github.s3recon.bench.UrlFileServer "$out" "$small" "$small_kib" "$large" "$large_mib" \
    > "$httplog" 2>&1 &
http=$!
trap 'kill $s3 $http 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 1 300); do
  grep -q "UrlFileServer at" "$httplog" 2>/dev/null && break
  sleep 0.2
done
base=$(sed -n 's/^UrlFileServer at //p' "$httplog")
start_s3
echo "S3: $endpoint  HTTP: $base  ($small x ${small_kib} KiB, $large x ${large_mib} MiB)"

# Each tool's count and bytes in its bucket, then its objects/s and MB/s over its wall time.
expected=$(wc -l < "$out/files.txt")
summary() { # tool bucket wall-seconds rss-kib
  local size count bytes
  size=$(env -u AWS_CA_BUNDLE rclone size "a:$2" --json)
  count=$(sed -E 's/.*"count":([0-9]+).*/\1/' <<<"$size")
  bytes=$(sed -E 's/.*"bytes":([0-9]+).*/\1/' <<<"$size")
  awk -v t="$1" -v c="$count" -v b="$bytes" -v w="$3" -v m="$4" -v e="$expected" 'BEGIN {
    printf "%-8s %7d of %d objects  %9.1f MB  %8.1f s  %8.1f objects/s  %7.1f MB/s  peak RSS %6.0f MiB\n",
      t, c, e, b / 1e6, w, c / w, b / 1e6 / w, m / 1024 }' >> "$out/summary.txt"
  [ "$count" -eq "$expected" ] || echo "$1: $count objects in a:$2, expected $expected" >&2
}

/usr/bin/time -o "$out/s3recon.time" -f "%e %M" \
    java ${JAVA_OPTS:--Xmx512m} -cp "$jar" io.github.s3recon.bench.UrlHarness "$out/urls.txt" "$endpoint" url-s3recon SIZE
read -r wall rss < "$out/s3recon.time"
summary s3recon url-s3recon "$wall" "$rss"

start_s3 # empty, as s3recon had it
env -u AWS_CA_BUNDLE rclone mkdir a:url-rclone
env -u AWS_CA_BUNDLE /usr/bin/time -o "$out/rclone.time" -f "%e %M" \
    rclone copy --http-url "$base" :http: a:url-rclone --files-from "$out/files.txt" --transfers "$transfers" \
    --s3-no-check-bucket --stats-one-line --stats 0 2>&1 | tail -3
read -r wall rss < "$out/rclone.time"
summary rclone url-rclone "$wall" "$rss"

echo
echo "rclone --transfers $transfers; s3recon's relay defaults (s3recon.relay.* system properties)"
cat "$out/summary.txt"
