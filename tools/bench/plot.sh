#!/usr/bin/env bash
# Draws how the fan-out's cost grows with the number of subscribers, from the
# `scale` workload of one side_by_side.sh run: server CPU per delivered event,
# server memory and p99 latency against subscribers, one line per server.
#
#   tools/bench/plot.sh [RESULTS.jsonl] [OUT_DIR] [RUN]
#
# Defaults: docs/bench/results.jsonl, docs/bench, the latest run that has
# scale rows. Writes fanout_cpu.png, fanout_rss.png and fanout_p99.png.
# Installs gnuplot-nox with apt-get on first use.
set -euo pipefail
cd "$(dirname "$0")/../.."
results=${1:-docs/bench/results.jsonl}
out=${2:-docs/bench}
run=${3:-}
if ! command -v gnuplot >/dev/null; then
  apt-get update >/dev/null && apt-get install -y gnuplot-nox >/dev/null
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# One data file per server: subscribers, CPU us per event, RSS MiB, p99 ms.
python3 - "$results" "$dir" "$run" <<'PY'
import json, sys
results, out, run = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(line) for line in open(results) if line.strip()]
rows = [r for r in rows if r.get("workload_name", "").startswith("scale-") and "run" in r]
if not rows:
    sys.exit("plot.sh: no scale rows in " + results)
run = run or max(r["run"] for r in rows)
by_server = {}
for r in rows:
    if r["run"] == run:
        by_server.setdefault(r["server"], []).append(r)
for server, points in by_server.items():
    with open(f"{out}/{server}.dat", "w") as f:
        for r in sorted(points, key=lambda r: r["subscribers"]):
            f.write(f'{r["subscribers"]} {r["server_cpu_us_per_event"]:.3f} '
                    f'{r["server_rss_max_kib"] / 1024:.1f} {r["p99_ms"]:.1f}\n')
with open(f"{out}/run", "w") as f:
    f.write(run)
PY

run=$(cat "$dir/run")
servers=$(cd "$dir" && ls ./*.dat | sed 's|^\./||; s|\.dat$||' | tr '\n' ' ')
plot() {  # file, y label, column, title, [y: a log scale for y too]
  local lines=""
  for server in $servers; do
    lines="$lines${lines:+, }'$dir/$server.dat' using 1:$3 with linespoints lw 2 title '$server'"
  done
  gnuplot <<GP
set terminal pngcairo size 800,500 font ",11"
set output "$out/$1"
set title "$4 (100 messages at 20/s, run $run)"
set xlabel "SSE subscribers"
set ylabel "$2"
set logscale x
${5:+set logscale y}
set key top left
set grid
plot $lines
GP
}
plot fanout_cpu.png "server CPU per delivered event (us)" 2 "Fan-out: CPU per event"
plot fanout_rss.png "server RSS, max (MiB)" 3 "Fan-out: memory"
plot fanout_p99.png "publish -> receive p99 (ms)" 4 "Fan-out: p99 latency" y
echo "plot.sh: run $run -> $out/fanout_{cpu,rss,p99}.png"
