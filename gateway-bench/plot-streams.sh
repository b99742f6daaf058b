#!/usr/bin/env bash
# Draws the streams-ramp phase of run-bench.sh (the "ramp-sample" lines of its results file): descriptors and heap
# live after a full GC against the streams the gateway holds, for the HTTP/1.1 (embedded) and HTTP/2 (h2) arms.
#
#   bash gateway-bench/plot-streams.sh results.jsonl docs/streams-heap-fds.png
#
# Needs python3 and gnuplot (pngcairo or png terminal).
set -eu
results="$1"; out="$2"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
python3 - "$results" "$dir" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if '"ramp-sample"' in l]
for arm in ("embedded", "h2"):
    samples = sorted((r for r in rows if r["arm"] == arm), key=lambda r: r["t"])
    if samples:
        # the ramp up to the most connections held; the drain after it is not drawn
        peak = max(range(len(samples)), key=lambda i: samples[i]["streams"])
        samples = samples[:peak + 1]
    with open(f"{sys.argv[2]}/{arm}.dat", "w") as f:
        for r in samples:
            f.write(f'{r["t"]:.1f} {r["streams"]} {r["fds"]} {r["heap_live_mb"]} {r["upstream"]}\n')
EOF
limit="$(ulimit -Hn)"
term="pngcairo size 1100,460 font 'sans,10'"
gnuplot -e "set terminal $term" -e "quit" 2>/dev/null || term="png size 1100,460"
gnuplot <<EOF
set terminal $term
set output "$out"
set multiplot layout 1,2 title "Streams held by one gateway process (1 event/s each): HTTP/1.1 vs HTTP/2 (h2c) upstream"
set key top left font ",8" samplen 2 spacing 0.9
set grid
set xlabel "seconds into the ramp"
set ylabel "count"
set title "client connections (one stream each) and descriptors"
set arrow from graph 0, first $limit to graph 1, first $limit nohead dt 2 lc rgb "red"
set label "nofile limit $limit" at graph 0.6, first $limit offset 0,0.7 tc rgb "red"
set yrange [0:$(( limit * 14 / 10 ))]
plot "$dir/embedded.dat" using 1:2 with linespoints lc rgb "#1f77b4" pt 7 ps 0.5 title "HTTP/1.1: client connections", \
     "$dir/embedded.dat" using 1:3 with linespoints lc rgb "#1f77b4" dt 2 pt 6 ps 0.5 title "HTTP/1.1: descriptors", \
     "$dir/h2.dat" using 1:2 with linespoints lc rgb "#d62728" pt 7 ps 0.5 title "HTTP/2: client connections", \
     "$dir/h2.dat" using 1:3 with linespoints lc rgb "#d62728" dt 2 pt 6 ps 0.5 title "HTTP/2: descriptors", \
     "$dir/embedded.dat" using 1:5 with linespoints lc rgb "#1f77b4" dt 3 pt 4 ps 0.5 title "HTTP/1.1: upstream connections", \
     "$dir/h2.dat" using 1:5 with linespoints lc rgb "#d62728" dt 3 pt 4 ps 0.5 title "HTTP/2: upstream connections"
unset arrow
unset label
set autoscale y
set yrange [0:*]
set title "heap live after a full GC"
set xlabel "client connections held"
set ylabel "MB"
plot "$dir/embedded.dat" using 2:4 with linespoints lc rgb "#1f77b4" pt 7 ps 0.5 title "HTTP/1.1", \
     "$dir/h2.dat" using 2:4 with linespoints lc rgb "#d62728" pt 7 ps 0.5 title "HTTP/2"
unset multiplot
EOF
echo "$out"
