#!/usr/bin/env bash
# Measures the offline analysis of CloudTrail log files against gunzip alone
# and against jq doing the same filter-and-count, in one run on this machine:
#
#   scripts/bench-offline.sh            # 50 MB and 200 MB of generated logs
#   MB=400 scripts/bench-offline.sh     # 100 MB and 400 MB
#
# It needs Go and jq (Debian: apt-get install jq). The generated files go to
# $BENCH_DIR (default /tmp/cognitomon-bench) and are reused when present.
set -euo pipefail
cd "$(dirname "$0")/.."

MB=${MB:-200}
DIR=${BENCH_DIR:-/tmp/cognitomon-bench}
command -v jq >/dev/null || { echo "jq is missing: apt-get install jq" >&2; exit 1; }

for size in $((MB / 4)) "$MB"; do
	if [ ! -d "$DIR/$size" ]; then
		echo "== generating about $size MB of CloudTrail logs (20% Cognito) in $DIR/$size"
		go run ./internal/tools/gentrail -out "$DIR/$size" -mb "$size" -cognito-share 0.2 >/dev/null
	fi
done

echo "== cognitomon: full analysis on one core, and gunzip alone, same run (1x and 4x input)"
for size in $((MB / 4)) "$MB"; do
	COGNITOMON_TRAIL_DIR="$DIR/$size" GOMAXPROCS=1 go test -run '^$' -bench '^BenchmarkAnalyzeFiles$' -benchtime 3x -cpu 1 . | grep BenchmarkAnalyzeFiles
done

files=$(find "$DIR/$MB" -name '*.json.gz' | sort)
bytes=$(for f in $files; do gzip -dc "$f"; done | wc -c)

echo "== jq: failed Cognito requests by error code and source IP, over $((bytes / 1000000)) MB"
start=$(date +%s.%N)
for f in $files; do gzip -dc "$f"; done |
	jq -r '.Records[] | select(.eventSource == "cognito-idp.amazonaws.com" and (.errorCode // "") != "") | "\(.errorCode) \(.sourceIPAddress)"' |
	sort | uniq -c | sort -rn | head -3
jq_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')

echo "== gzip -dc alone"
start=$(date +%s.%N)
for f in $files; do gzip -dc "$f"; done >/dev/null
gz_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')

awk -v s="$jq_s" -v n="$bytes" 'BEGIN { printf "jq:       %6.1f s  %6.1f MB/s\n", s, n / 1e6 / s }'
awk -v s="$gz_s" -v n="$bytes" 'BEGIN { printf "gzip -dc: %6.1f s  %6.1f MB/s\n", s, n / 1e6 / s }'
echo "speed-up over jq: the 4x line's analyze-MB/s divided by jq's MB/s"
