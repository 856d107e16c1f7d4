#!/usr/bin/env bash
# Reconciles N vs N synthetic objects with s3recon and with `rclone check`, one after the other,
# against one SyntheticS3 server in a process of its own, and prints each client's wall time and
# peak memory (maximum resident set size), then the ratios. Needs Debian's rclone and GNU time
# (`apt-get install rclone time`) and the benchmarks jar
# (`./mvnw -B -q -pl s3recon-bench -am package -DskipTests`).
#
#   s3recon-bench/compare-rclone.sh [objects=1000000] [ranges=4] [lister=fast]
#
# (ranges and lister are the tuned runs'; auto and default mean not set, as in the defaults run).
#
# s3recon runs three times: as a user who sets nothing would run it ("defaults": no listing
# settings, so the ranges are chosen from the first page and the default lister is used, and no JVM
# options at all), with the given ranges and lister and -Xmx256m ("xmx256m"), and with the given
# ranges and lister and the flags README.md suggests for a batch run of seconds to minutes
# ("tuned"; BATCH_OPTS, default -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1): with a heap
# this small, G1's own structures are a large part of the resident set, and C2's compilations cost
# more CPU than they save in a run this short. When s3recon-cli/target/s3recon.jar is there, the
# command line runs the same reconcile through its launcher with nothing set ("cli": on a machine of
# 2 CPUs or fewer the launcher itself picks the serial collector). The last lines compare each with
# rclone, and the defaults with the tuned run. The tuned flags' C1 alone suits these plain-HTTP
# servers only: over TLS it loses the JDK's AES-GCM intrinsics (README.md, "Large buckets").
# PORT sets the server's port (default 9477).
set -euo pipefail
cd "$(dirname "$0")/.."
objects=${1:-1000000}
ranges=${2:-4}
lister=${3:-fast}
port=${PORT:-9477}
batch_opts=${BATCH_OPTS:--Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
jar=s3recon-bench/target/benchmarks.jar
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

java -Xmx512m -cp "$jar" io.github.s3recon.bench.SyntheticServer --objects "$objects" --port "$port" \
    > "$log/server" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q "SyntheticS3 at" "$log/server" 2>/dev/null && break
  sleep 0.2
done
cat "$log/server"

run_s3recon() { # name, ranges (auto: not set), lister (default: not set), JVM options...
  local name=$1 run_ranges=$2 run_lister=$3
  shift 3
  echo "== s3recon, $name: JVM options '$*', ranges $run_ranges, lister $run_lister"
  /usr/bin/time -o "$log/$name" -f "%e %M" java "$@" -cp "$jar" io.github.s3recon.bench.ScaleHarness \
      --objects "$objects" --ranges "$run_ranges" --lister "$run_lister" --endpoint "http://127.0.0.1:$port" \
      | grep -v "^  "
  read -r wall rss < "$log/$name"
  echo "s3recon ($name): wall $wall s, max RSS $((rss / 1024)) MiB"
}
run_s3recon defaults auto default
run_s3recon xmx256m "$ranges" "$lister" -Xmx256m
# shellcheck disable=SC2086 # BATCH_OPTS holds several options
run_s3recon tuned "$ranges" "$lister" $batch_opts

names="defaults xmx256m tuned"
if [[ -f s3recon-cli/target/s3recon.jar ]]; then
  echo "== s3recon command line, nothing set: s3recon-cli/bin/s3recon reconcile"
  # Exit status 1: differences, which is the point here.
  env -u S3RECON_JAVA_OPTS -u S3RECON_SERIAL_GC -u S3RECON_CDS AWS_ACCESS_KEY_ID=synthetic \
      AWS_SECRET_ACCESS_KEY=synthetic AWS_REGION=us-east-1 /usr/bin/time -q -o "$log/cli" -f "%e %M" \
      s3recon-cli/bin/s3recon reconcile -q --endpoint-url "http://127.0.0.1:$port" --work-dir "$log/cli-work" \
      s3://synthetic-source s3://synthetic-destination | sed -n 1,2p || true
  read -r wall rss < "$log/cli"
  echo "s3recon (cli): wall $wall s, max RSS $((rss / 1024)) MiB"
  names="$names cli"
fi

echo "== rclone check (default settings)"
export RCLONE_CONFIG_SYN_TYPE=s3 RCLONE_CONFIG_SYN_PROVIDER=Other \
    RCLONE_CONFIG_SYN_ENDPOINT="http://127.0.0.1:$port" RCLONE_CONFIG_SYN_ACCESS_KEY_ID=synthetic \
    RCLONE_CONFIG_SYN_SECRET_ACCESS_KEY=synthetic RCLONE_CONFIG_SYN_FORCE_PATH_STYLE=true
# rclone exits 1 when it finds differences, which is the point here.
env -u AWS_CA_BUNDLE /usr/bin/time -o "$log/rclone" -f "%e %M" \
    rclone check syn:synthetic-source syn:synthetic-destination 2>&1 | grep -v " ERROR : " || true
read -r rclone_wall rclone_rss < <(grep -v "exited" "$log/rclone")
echo "rclone: wall $rclone_wall s, max RSS $((rclone_rss / 1024)) MiB"

echo "== ratios (rclone / s3recon)"
for name in $names; do
  read -r wall rss < "$log/$name"
  awk -v n="$name" -v w="$wall" -v r="$rss" -v rw="$rclone_wall" -v rr="$rclone_rss" \
      'BEGIN { printf "s3recon %-8s %.1fx faster, %.1fx less memory\n", n, rw / w, rr / r }'
done
read -r default_wall default_rss < "$log/defaults"
read -r tuned_wall tuned_rss < "$log/tuned"
awk -v dw="$default_wall" -v tw="$tuned_wall" -v dr="$default_rss" -v tr="$tuned_rss" \
    'BEGIN { printf "s3recon defaults / tuned: %.2fx the wall time, %.1fx the memory\n", dw / tw, dr / tr }'
if [[ -f $log/cli ]]; then
  read -r cli_wall cli_rss < "$log/cli"
  awk -v cw="$cli_wall" -v tw="$tuned_wall" -v cr="$cli_rss" -v tr="$tuned_rss" \
      'BEGIN { printf "s3recon cli (nothing set) / tuned: %.2fx the wall time, %.1fx the memory\n", cw / tw, cr / tr }'
fi
