#!/usr/bin/env bash
# Draws a soak's CSV (run-soak.sh) with gnuplot:  bash gateway-bench/soak-plot.sh CSV PNG "TITLE" WARMUP_MINUTES
set -u
csv="$1"; png="$2"; title="$3"; warmup_minutes="$4"
command -v gnuplot >/dev/null || { echo "needs gnuplot" >&2; exit 2; }
gnuplot <<GP
set terminal pngcairo size 1200,800 font ",10"
set output "$png"
set datafile separator ","
set multiplot layout 2,2 title "$title"
set xlabel "minutes"
set grid
set key top left
set arrow from $warmup_minutes, graph 0 to $warmup_minutes, graph 1 nohead dt 2
set title "RSS (left axis) and heap after a full GC (right axis)"
set ylabel "RSS, MiB"
set y2label "heap after GC, MiB"
set yrange [0:*]
set y2range [0:*]
set ytics nomirror
set y2tics
plot "$csv" using (\$1/60):(\$2/1024) axes x1y1 with lines lw 2 title "RSS", \
     "" using (\$1/60):(\$3/1024) axes x1y2 with lines lw 2 title "heap after GC"
unset y2label
unset y2tics
set ytics mirror
set title "Netty direct memory"
set ylabel "MiB"
plot "$csv" using (\$1/60):(\$4/1048576) with lines lw 2 title "direct reserved", \
     "" using (\$1/60):(\$5/1048576) with lines lw 2 title "allocator direct"
set ylabel "count"
set title "open descriptors and threads"
plot "$csv" using (\$1/60):6 with lines lw 2 title "fds", "" using (\$1/60):7 with lines lw 2 title "threads"
set ylabel "tokens"
set title "usage: gateway recorded vs mock declared (input + output)"
plot "$csv" using (\$1/60):(\$8+\$9) with lines lw 2 title "gateway recorded", \
     "" using (\$1/60):(\$10+\$11) with lines dt 2 lw 2 title "mock declared"
unset multiplot
GP
