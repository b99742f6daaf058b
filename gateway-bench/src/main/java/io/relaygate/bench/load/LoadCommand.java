package io.relaygate.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code relaygate-bench load}: parses the command line, runs {@link LoadDriver}, prints the report. */
public final class LoadCommand {

    public static final String HELP = """
            Usage: relaygate-bench load [options] URL

            HTTP/1.1 load on keep-alive connections against URL (http://host:port/path, e.g.
            http://127.0.0.1:3000/v1/messages). POSTs a small Anthropic Messages request unless --body is given.

              -c, --concurrency C          closed loop: C requests in flight, one per connection (default 1)
              --rate R                     open loop: R requests/s in total; latency counts from the intended send
                                           time, so a stalled server shows as queueing (coordinated omission)
              --connections N              open loop: connections sharing the rate (default 32); with --h2c:
                                           connections the streams are multiplexed over
              --h2c                        closed loop over HTTP/2 with prior knowledge (cleartext): each request
                                           a new stream on one of --connections connections (a stream harness
                                           that reads many streams' events in one read)
              --duration D                 measured time (default 10s; 500ms, 15s, 2m)
              --warmup D                   time before the window, discarded (default 3s)
              --ramp D                     closed loop: start the connections spread over D (default: streams
                                           half the warm-up, else 0)
              --connect-in-ramp            closed loop: open each connection when its first request is due
                                           (over the ramp), not all before the start
              --stream                     ask for SSE streams; count content events, gaps, lost and late events
              --events N                   streams: content events per stream (sent as x-mock-events)
              --interval-ms T              streams: ms between events (x-mock-event-interval-ms); late = gap > 2T
              --ttft-ms T                  delay before the first event or the JSON answer (x-mock-ttft-ms)
              --count-event TEXT           an SSE event containing TEXT is a content event
                                           (default content_block_delta)
              -H, --header 'Name: value'   extra request header (repeatable)
              --key K                      x-api-key: K (a gateway key, or mock-<scenario> at the mock)
              --body JSON | --body @FILE   request body
              --slow-read-bytes-per-sec B  read responses at B bytes/s (a slow client)
              --threads N                  driver event loops (default 1)
              --drain D                    wait this long for requests in flight after the window (default 10s)
              --json                       print the report as one JSON object""";

    private LoadCommand() {}

    /** Runs the command; returns the exit code (0 done, 1 the run had errors, 2 usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        LoadOptions options;
        boolean json = false;
        try {
            for (String a : args) {
                if (a.equals("--help") || a.equals("-h")) {
                    out.println(HELP);
                    return 0;
                }
                json |= a.equals("--json");
            }
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("load: " + e.getMessage() + " (see --help)");
            return 2;
        }
        boolean connectInRamp = java.util.Arrays.asList(args).contains("--connect-in-ramp");
        LoadReport report = LoadDriver.run(options, connectInRamp, progress -> {
            err.println("load: " + progress);
            err.flush();
        });
        out.println(json ? report.toJson() : report.toText());
        out.flush();
        return report.connected() == 0 ? 1 : 0;
    }

    /** Parses the options; throws {@link IllegalArgumentException} naming the wrong one. */
    public static LoadOptions parse(String[] args) {
        URI target = null;
        int concurrency = 1;
        double rate = 0;
        int connections = LoadOptions.DEFAULT_OPEN_LOOP_CONNECTIONS;
        Duration duration = LoadOptions.DEFAULT_DURATION;
        Duration warmup = LoadOptions.DEFAULT_WARMUP;
        Duration ramp = null;
        boolean stream = false;
        int events = 0;
        long interval = 0;
        long ttft = -1;
        String countEvent = LoadOptions.DEFAULT_COUNT_EVENT;
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        byte[] body = null;
        long slowRead = 0;
        int threads = 1;
        Duration drain = LoadOptions.DEFAULT_DRAIN;
        boolean h2c = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json") || a.equals("--connect-in-ramp")) {
                continue;
            }
            if (a.equals("--stream")) {
                stream = true;
                continue;
            }
            if (a.equals("--h2c")) {
                h2c = true;
                continue;
            }
            if (!a.startsWith("-")) {
                if (target != null) {
                    throw new IllegalArgumentException("two URLs: " + target + " and " + a);
                }
                target = URI.create(a);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + ": missing value");
            }
            String v = args[++i];
            try {
                switch (a) {
                    case "-c", "--concurrency" -> concurrency = Integer.parseInt(v);
                    case "--rate" -> rate = Double.parseDouble(v);
                    case "--connections" -> connections = Integer.parseInt(v);
                    case "--duration" -> duration = duration(v);
                    case "--warmup" -> warmup = duration(v);
                    case "--ramp" -> ramp = duration(v);
                    case "--events" -> events = Integer.parseInt(v);
                    case "--interval-ms" -> interval = Long.parseLong(v);
                    case "--ttft-ms" -> ttft = Long.parseLong(v);
                    case "--count-event" -> countEvent = v;
                    case "-H", "--header" -> headers.add(header(v));
                    case "--key" -> headers.add(Map.entry("x-api-key", v));
                    case "--body" -> body = body(v);
                    case "--slow-read-bytes-per-sec" -> slowRead = Long.parseLong(v);
                    case "--threads" -> threads = Integer.parseInt(v);
                    case "--drain" -> drain = duration(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(a + ": " + v + " is not a number", e);
            }
        }
        if (target == null) {
            throw new IllegalArgumentException("missing URL");
        }
        if (ramp == null) {
            ramp = stream && rate == 0 ? warmup.dividedBy(2) : Duration.ZERO;
        }
        return new LoadOptions(
                target,
                concurrency,
                rate,
                connections,
                duration,
                warmup,
                ramp,
                stream,
                events,
                interval,
                ttft,
                countEvent,
                headers,
                body,
                slowRead,
                threads,
                drain,
                h2c);
    }

    /** {@code 15s}, {@code 500ms}, {@code 2m}, or plain seconds. */
    static Duration duration(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("s")) {
            s = s.substring(0, s.length() - 1);
        } else if (s.endsWith("m")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 60_000));
        }
        return Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
    }

    private static Map.Entry<String, String> header(String v) {
        int colon = v.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("header: '" + v + "' (expected: 'Name: value')");
        }
        return Map.entry(v.substring(0, colon).trim(), v.substring(colon + 1).trim());
    }

    private static byte[] body(String v) {
        if (!v.startsWith("@")) {
            return v.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Files.readAllBytes(Paths.get(v.substring(1)));
        } catch (IOException e) {
            throw new IllegalArgumentException("body: cannot read " + v.substring(1) + ": " + e.getMessage(), e);
        }
    }
}
