package io.relaygate.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.stream.LongStream;
import org.HdrHistogram.Histogram;

/**
 * The result of one run. Latencies in microseconds; in the open loop they count from the intended send time.
 *
 * @param mode {@code closed} or {@code open}
 * @param connected connections that came up (of {@code connections})
 * @param connectError the first connect failure, empty when none
 * @param requests answers finished in the window (requests due in it, finished before the drain ran out)
 * @param requestsPerSec {@code requests} / the window
 * @param statusErrors answers with a non-2xx status
 * @param ioErrors requests that failed on the connection (reset, closed mid-answer, write failed)
 * @param timedOut requests still running, or (open loop) due and never sent, when the drain ran out; their latency so
 *     far is in the histogram
 * @param latency request to last byte
 * @param ttfb request to the first body byte
 * @param gaps time between two content events of a stream (events read in one piece count as 0)
 * @param streams finished streams
 * @param events content events read in the window's streams
 * @param lostStreams streams with fewer content events than asked for
 * @param lostEvents content events missing from those streams
 * @param lateEvents content events more than twice the interval after the previous one
 * @param lateByIndex late events by their index in the stream: the second event (the gap after the first), the third
 *     to the tenth, later ones
 * @param lateByTime late events per 100 ms since the window opened, up to the last bucket with one: a stall of the
 *     harness shows as one bucket with a late event for most streams, a steady shortfall as late events spread over
 *     many
 * @param peakStreams most streams open at once (all streams, warm-up included)
 */
public record LoadReport(
        String mode,
        String target,
        int concurrency,
        double rate,
        int connections,
        int connected,
        String connectError,
        double seconds,
        long requests,
        double requestsPerSec,
        long statusErrors,
        long ioErrors,
        long timedOut,
        Percentiles latency,
        Percentiles ttfb,
        Percentiles gaps,
        long streams,
        long events,
        long lostStreams,
        long lostEvents,
        long lateEvents,
        List<Long> lateByIndex,
        List<Long> lateByTime,
        int peakStreams,
        long bytes) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Percentiles in microseconds; all 0 when nothing was recorded. */
    public record Percentiles(long count, long p50, long p90, long p99, long p999, long max) {

        static Percentiles of(Histogram h) {
            if (h.getTotalCount() == 0) {
                return new Percentiles(0, 0, 0, 0, 0, 0);
            }
            return new Percentiles(
                    h.getTotalCount(),
                    h.getValueAtPercentile(50),
                    h.getValueAtPercentile(90),
                    h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9),
                    h.getMaxValue());
        }

        ObjectNode json() {
            ObjectNode n = JSON.createObjectNode();
            n.put("count", count).put("p50", p50).put("p90", p90).put("p99", p99);
            n.put("p99_9", p999).put("max", max);
            return n;
        }

        String text() {
            return String.format(
                    Locale.ROOT,
                    "p50 %s  p90 %s  p99 %s  p99.9 %s  max %s",
                    us(p50),
                    us(p90),
                    us(p99),
                    us(p999),
                    us(max));
        }
    }

    static LoadReport of(
            LoadOptions o, LoadStats s, int connected, String connectError, long timedOut, int peakStreams) {
        double seconds = o.duration().toNanos() / 1e9;
        return new LoadReport(
                o.openLoop() ? "open" : "closed",
                o.target().toString(),
                o.concurrency(),
                o.rate(),
                o.connectionCount(),
                connected,
                connectError,
                seconds,
                s.requests,
                s.requests / seconds,
                s.statusErrors,
                s.ioErrors,
                timedOut,
                Percentiles.of(s.latency),
                Percentiles.of(s.ttfb),
                Percentiles.of(s.gaps),
                s.streams,
                s.events,
                s.lostStreams,
                s.lostEvents,
                s.lateEvents,
                LongStream.of(s.lateByIndex).boxed().toList(),
                LongStream.of(s.lateTimeline()).boxed().toList(),
                peakStreams,
                s.bytes);
    }

    /** Failed requests of every kind. */
    public long errors() {
        return statusErrors + ioErrors + timedOut;
    }

    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("mode", mode)
                .put("target", target)
                .put("concurrency", concurrency)
                .put("rate", rate);
        n.put("connections", connections).put("connected", connected).put("connect_error", connectError);
        n.put("seconds", seconds).put("requests", requests).put("rps", Math.round(requestsPerSec * 10) / 10.0);
        n.put("errors", errors()).put("status_errors", statusErrors).put("io_errors", ioErrors);
        n.put("timed_out", timedOut).put("bytes", bytes);
        n.set("latency_us", latency.json());
        n.set("ttfb_us", ttfb.json());
        if (streams > 0 || peakStreams > 0) {
            n.set("gap_us", gaps.json());
            n.put("streams", streams).put("events", events).put("lost_streams", lostStreams);
            n.put("lost_events", lostEvents).put("late_events", lateEvents).put("peak_streams", peakStreams);
            if (lateEvents > 0) {
                ObjectNode byIndex = n.putObject("late_by_index");
                byIndex.put("second", lateByIndex.get(0))
                        .put("third_to_tenth", lateByIndex.get(1))
                        .put("later", lateByIndex.get(2));
                ArrayNode byTime = n.putArray("late_by_100ms");
                lateByTime.forEach(byTime::add);
            }
        }
        return n.toString();
    }

    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%s loop, %s, %s, %d connections (%d up)%n",
                mode,
                target,
                mode.equals("open")
                        ? String.format(Locale.ROOT, "%.0f req/s offered", rate)
                        : "concurrency " + concurrency,
                connections,
                connected));
        if (!connectError.isEmpty()) {
            sb.append("  first connect error: ").append(connectError).append('\n');
        }
        sb.append(String.format(
                Locale.ROOT,
                "  requests %d in %.1f s = %.1f req/s; errors %d (status %d, io %d, timed out %d)%n",
                requests,
                seconds,
                requestsPerSec,
                errors(),
                statusErrors,
                ioErrors,
                timedOut));
        sb.append("  latency  ").append(latency.text()).append('\n');
        sb.append("  ttfb     ").append(ttfb.text()).append('\n');
        if (streams > 0 || peakStreams > 0) {
            sb.append("  gaps     ").append(gaps.text()).append('\n');
            sb.append(String.format(
                    Locale.ROOT,
                    "  streams %d, events %d, lost %d events in %d streams, late %d, peak open %d%n",
                    streams,
                    events,
                    lostEvents,
                    lostStreams,
                    lateEvents,
                    peakStreams));
        }
        return sb.toString();
    }

    private static String us(long micros) {
        if (micros >= 10_000) {
            return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
        }
        return micros + " µs";
    }
}
