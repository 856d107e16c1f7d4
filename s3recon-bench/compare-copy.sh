#!/usr/bin/env bash
# The copy benchmark that measures the client: s3recon's Migration.run() (with and without
# verification) against `rclone copy` (at its default --transfers and at a higher one) and a bare
# relay (the AWS SDK, and the JDK's HTTP client without signing) that shows what the servers can do,
# all in one run, on servers that are not the bottleneck: the source is a SyntheticServer serving
# generated bodies, the destination a SyntheticServer whose sink bucket hashes what it is sent and
# throws it away, each in a process of its own (a fresh sink for every measured copy, so that every
# tool starts from an empty destination).
#
#   s3recon-bench/compare-copy.sh [small-objects=10000] [medium-objects=500] [large-objects=16]
#
# Sets: small = N x 50 KiB, medium = N x 8 MiB, large = N x 512 MiB. Modes: "relay" (two servers:
# every tool streams the bytes through itself) and "server" (one server holding the source and the
# sink: both tools copy server-side, CopyObject / UploadPartCopy). Environment:
#   SETS="small medium large"  MODES="relay server"  RCLONE_COUNTS="4 16"  BASELINES="sdk jdk" (or urlconnection)
#   JAVA_OPTS="-Xmx512m"  (the s3recon and baseline JVMs)  S3RECON_ARGS="" (more CopyHarness options,
#   e.g. "--max-in-flight-mib 64")  TOOLS="bare s3recon rclone" (add "tm" for TransferManagerScheduler rows, TM_CLIENTS="AS_GIVEN CRT";
#   "s3recon-sdk" for a row with every request through the SDK, directRequests(false); "s3recon-batch" for a
#   row without verification in a JVM with BATCH_OPTS, default "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
#   the batch flags (C1 alone: for these plain-HTTP servers only, see README.md); "cli" for three rows of the command line through its launcher,
#   s3recon-cli/bin/s3recon run --verification NONE: "s3recon-cli-first" without a class-data-sharing
#   archive, which it writes, "s3recon-cli" mapping it, and "s3recon-cli-batch" mapping it in a JVM
#   with BATCH_OPTS; the archive is used whatever the JDK, CLI_CDS=off for none; needs
#   s3recon-cli/target/s3recon.jar)
#   OUT=/tmp/s3recon-compare-copy
# Needs the benchmarks jar (./mvnw -B -pl s3recon-bench -am package -DskipTests), rclone, GNU time
# and curl. Prints one row per copy: wall time, objects/s, MB/s, the client's CPU seconds
# (user+sys) and CPU seconds per GB, its peak RSS, the servers' CPU seconds, and what arrived; after
# each relay set with bare and rclone rows, whether it was client-bound (the bare relay at least 1.2x
# the fastest rclone row's MB/s; else the servers' CPU bounds every tool and the ratios say little).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=${JAR:-s3recon-bench/target/benchmarks.jar}
[[ -f $jar ]] || { echo "missing $jar: ./mvnw -B -pl s3recon-bench -am package -DskipTests" >&2; exit 2; }
[[ " ${TOOLS:-} " != *" cli "* || -f s3recon-cli/target/s3recon.jar ]] \
    || { echo "missing s3recon-cli/target/s3recon.jar: ./mvnw -B -pl s3recon-cli -am package -DskipTests" >&2; exit 2; }
declare -A count=([small]=${1:-10000} [medium]=${2:-500} [large]=${3:-16})
declare -A kib=([small]=50 [medium]=8192 [large]=524288)
sets=${SETS:-small medium large}
modes=${MODES:-relay server}
transfers=${RCLONE_COUNTS:-4 16}
baselines=${BASELINES:-sdk jdk}
tools=${TOOLS:-bare s3recon rclone}
# "tm" in TOOLS adds TransferManagerScheduler rows (no verification), one per client kind in TM_CLIENTS.
tm_clients=${TM_CLIENTS:-AS_GIVEN CRT}
java_opts=${JAVA_OPTS:--Xmx512m}
batch_opts=${BATCH_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
out=${OUT:-/tmp/s3recon-compare-copy}
mkdir -p "$out"
tck=$(getconf CLK_TCK)
servers=()
trap 'for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

# start_server NAME ARGS...: sets SERVER_PID and SERVER_URL
start_server() {
  local log=$out/$1.log
  shift
  java -Xmx1g -XX:+UseParallelGC -cp "$jar" io.github.s3recon.bench.SyntheticServer --port 0 --differences 0 \
      --server-threads 256 "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  servers+=("$SERVER_PID")
  for _ in $(seq 1 300); do
    grep -q '^SyntheticS3 at' "$log" 2>/dev/null && break
    sleep 0.1
  done
  SERVER_URL=$(sed -n 's|^SyntheticS3 at \(http://[^ ]*\): .*|\1|p' "$log" | sed 's|/$||')
  [[ -n $SERVER_URL ]] || { echo "server did not start:" >&2; cat "$log" >&2; exit 1; }
}
stop_server() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
remote() { # NAME URL
  local n=${1^^}
  export "RCLONE_CONFIG_${n}_TYPE=s3" "RCLONE_CONFIG_${n}_PROVIDER=Other" "RCLONE_CONFIG_${n}_ENDPOINT=$2" \
      "RCLONE_CONFIG_${n}_ACCESS_KEY_ID=bench" "RCLONE_CONFIG_${n}_SECRET_ACCESS_KEY=bench" \
      "RCLONE_CONFIG_${n}_FORCE_PATH_STYLE=true" "RCLONE_CONFIG_${n}_REGION=us-east-1"
}

printf '%-6s %-6s %-22s %8s %9s %8s %8s %8s %8s %8s  %s\n' set mode tool wall_s objects/s MB/s cpu_s \
    cpu_s/GB rss_MiB srv_cpu arrived | tee -a "$out/results.txt"

# measure SET MODE TOOL SRC_PID DST_PID COMMAND...
measure() {
  local set=$1 mode=$2 tool=$3 src=$4 dst=$5
  shift 5
  local s0 d0 s1 d1 status=ok
  s0=$(ticks "$src")
  d0=$(ticks "$dst")
  if ! env -u AWS_CA_BUNDLE /usr/bin/time -f '%e %U %S %M' -o "$out/time" "$@" >"$out/$set-$mode-$tool.log" 2>&1; then
    status=FAILED
  fi
  s1=$(ticks "$src")
  d1=$(ticks "$dst")
  local server_ticks=$(( s1 - s0 ))
  [[ $src != "$dst" ]] && server_ticks=$(( server_ticks + d1 - d0 ))
  local arrived
  arrived=$(env -u AWS_CA_BUNDLE rclone size dst:sink --json 2>"$out/$set-$mode-$tool.size.log" \
      | sed 's/.*"count":\([0-9]*\).*"bytes":\([0-9]*\).*/\1 \2/' || true)
  local n=${count[$set]} bytes=$(( ${count[$set]} * ${kib[$set]} * 1024 ))
  read -r wall user sys rss <"$out/time"
  awk -v set="$set" -v mode="$mode" -v tool="$tool" -v n="$n" -v b="$bytes" -v wall="$wall" -v u="$user" \
      -v s="$sys" -v rss="$rss" -v srv="$server_ticks" -v tck="$tck" -v arrived="$arrived" -v status="$status" \
      'BEGIN { split(arrived, a, " "); ok = (a[1] == n && a[2] == b) ? "all" : a[1] "/" n " objects, " a[2] " bytes";
               printf "%-6s %-6s %-22s %8.2f %9.0f %8.1f %8.2f %8.2f %8.0f %8.2f  %s%s\n", set, mode, tool, wall,
                   n / wall, b / wall / 1e6, u + s, (u + s) / (b / 1e9), rss / 1024, srv / tck, ok,
                   status == "ok" ? "" : " (" status ")" }' | tee -a "$out/results.txt"
  rate[$tool]=$(awk -v b="$bytes" -v wall="$wall" 'BEGIN { printf "%.0f", b / wall / 1e3 }') # kB/s
}

# After a relay set: whether the servers left room to measure the clients. The issue's setup wants
# servers that are not the bottleneck, checked with a bare relay in the same run; where the bare
# relay (no signing, no checksums, no state) is not clearly faster than the fastest rclone row, the
# two servers' CPU bounds every tool and the set's ratios describe this machine, not the clients.
client_bound() { # SET
  local bare=0 best=0 who="" t
  for t in "${!rate[@]}"; do
    [[ $t == bare-* && ${rate[$t]} -gt $bare ]] && bare=${rate[$t]}
    [[ $t == rclone-* && ${rate[$t]} -gt $best ]] && { best=${rate[$t]}; who=$t; }
  done
  (( bare > 0 && best > 0 )) || return 0
  local said="the bare relay did $(( bare / 1000 )) MB/s, $who $(( best / 1000 ))"
  if (( bare * 10 < best * 12 )); then
    echo "# $1 relay: NOT client-bound: $said; the servers' CPU bounds every tool here" | tee -a "$out/results.txt"
  else
    echo "# $1 relay: client-bound: $said" | tee -a "$out/results.txt"
  fi
}

run_tools() { # SET MODE SRC_URL (a fresh sink is started for each tool in relay mode)
  local set=$1 mode=$2 src_url=$3 src_pid=$4 n=${count[$1]}
  local conc=$(( ${kib[$set]} >= 8192 ? 16 : 64 ))
  local entries=()
  if [[ $mode == relay && " $tools " == *" bare "* ]]; then
    for b in $baselines; do entries+=("bare-$b"); done
  fi
  if [[ " $tools " == *" s3recon "* ]]; then entries+=(s3recon-verify s3recon-noverify); fi
  if [[ " $tools " == *" s3recon-sdk "* ]]; then entries+=(s3recon-sdk-noverify); fi
  if [[ " $tools " == *" s3recon-batch "* ]]; then entries+=(s3recon-batch-noverify); fi
  if [[ " $tools " == *" tm "* ]]; then for c in $tm_clients; do entries+=("tm-$c"); done; fi
  if [[ " $tools " == *" cli "* ]]; then entries+=(s3recon-cli-first s3recon-cli s3recon-cli-batch); fi
  if [[ " $tools " == *" rclone "* ]]; then
    for t in $transfers; do entries+=("rclone-t$t"); done
  fi
  for tool in "${entries[@]}"; do
    local dst_url dst_pid
    if [[ $mode == relay ]]; then
      start_server "$set-sink" --objects 0 --sink-bucket sink
      dst_url=$SERVER_URL
      dst_pid=$SERVER_PID
    else
      start_server "$set-server" --objects "$n" --object-size-kib "${kib[$set]}" --sink-bucket sink
      src_url=$SERVER_URL
      src_pid=$SERVER_PID
      dst_url=$SERVER_URL
      dst_pid=$SERVER_PID
      curl -s -o /dev/null "$src_url/synthetic-source?list-type=2&max-keys=1" # the MD5 of the shared stream
    fi
    remote src "$src_url"
    remote dst "$dst_url"
    local copy=(-cp "$jar" io.github.s3recon.bench.CopyHarness --endpoint "$src_url"
        --copy synthetic-source --destination-endpoint "$dst_url" --to sink --create-bucket false $S3RECON_ARGS)
    local harness=(java $java_opts "${copy[@]}")
    case $tool in
      bare-*) measure "$set" "$mode" "$tool" "$src_pid" "$dst_pid" java $java_opts -cp "$jar" \
          io.github.s3recon.bench.BareRelay --client "${tool#bare-}" --concurrency "$conc" \
          --source-endpoint "$src_url" --source-bucket synthetic-source \
          --destination-endpoint "$dst_url" --destination-bucket sink ;;
      s3recon-verify) measure "$set" "$mode" "$tool" "$src_pid" "$dst_pid" "${harness[@]}" --verification CHECKSUM ;;
      s3recon-sdk-noverify) measure "$set" "$mode" "$tool" "$src_pid" "$dst_pid" "${harness[@]}" --verification NONE \
          --direct-requests false ;;
      s3recon-noverify) measure "$set" "$mode" "$tool" "$src_pid" "$dst_pid" "${harness[@]}" --verification NONE ;;
      s3recon-batch-noverify) measure "$set" "$mode" "$tool" "$src_pid" "$dst_pid" java $batch_opts \
          "${copy[@]}" --verification NONE ;;
      s3recon-cli*)
        [[ $tool == s3recon-cli-first ]] && rm -rf "$out/cds"
        rm -rf "$out/cli-work"
        local endpoints=(--endpoint-url "$src_url")
        [[ $mode == relay ]] && endpoints=(--source-endpoint-url "$src_url" --destination-endpoint-url "$dst_url")
        local cli_opts=$java_opts
        [[ $tool == s3recon-cli-batch ]] && cli_opts=$batch_opts
        measure "$set" "$mode" "$tool" "$src_pid" "$dst_pid" env S3RECON_JAVA_OPTS="$cli_opts" \
            S3RECON_CDS="${CLI_CDS:-on}" S3RECON_CDS_DIR="$out/cds" AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 \
            s3recon-cli/bin/s3recon run -q "${endpoints[@]}" --work-dir "$out/cli-work" --verification NONE \
            s3://synthetic-source s3://sink ;;
      tm-*) measure "$set" "$mode" "$tool" "$src_pid" "$dst_pid" "${harness[@]}" --verification NONE \
          --tm-clients "${tool#tm-}" --tm-concurrency "$conc" ;;
      rclone-t*) measure "$set" "$mode" "$tool" "$src_pid" "$dst_pid" rclone copy src:synthetic-source \
          "$( [[ $mode == relay ]] && echo dst || echo src ):sink" --transfers "${tool#rclone-t}" \
          --s3-no-check-bucket ;;
    esac
    stop_server "$dst_pid"
  done
}

S3RECON_ARGS=${S3RECON_ARGS:-}
declare -A rate=() # objects/s of each tool in the set being measured
for set in $sets; do
  for mode in $modes; do
    if [[ $mode == relay ]]; then
      start_server "$set-source" --objects "${count[$set]}" --object-size-kib "${kib[$set]}"
      src_pid=$SERVER_PID
      src_url=$SERVER_URL
      curl -s -o /dev/null "$src_url/synthetic-source?list-type=2&max-keys=1" # the MD5 of the shared stream
      rate=()
      run_tools "$set" relay "$src_url" "$src_pid"
      client_bound "$set"
      stop_server "$src_pid"
    else
      run_tools "$set" server "" ""
    fi
  done
done
echo "rows appended to $out/results.txt; each copy's output in $out/<set>-<mode>-<tool>.log"
