package io.relaygate.bench.soak;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code relaygate-bench soak}: sends {@link SoakMix}'s requests at a fixed rate (open loop) for a duration, prints a
 * JSON line of counts every interval and a last one when every request has finished. Each answer is classified: a
 * normal request must get a 200 (a stream with its format's final event), a fault must get an error (a 5xx, or a
 * stream without its final event); anything else is counted as {@code unexpected}.
 */
public final class SoakCommand {

    public static final String HELP = """
            Usage: relaygate-bench soak --key K [options] BASE_URL

            Mixed traffic at a fixed rate against a gateway at BASE_URL (http://host:port): Anthropic Messages,
            OpenAI Chat and OpenAI Responses in turn, each as a stream and as JSON, and a share of faults the mock
            plays (error-500, reset-mid-stream, stream-error, truncate-close, in turn).

              --key K              the gateway key (sent as x-api-key and as a bearer)
              --rate R             requests per second (default 30)
              --duration D         how long to send (default 30m; 90s, 2m)
              --fault-percent P    share of fault requests (default 1)
              --model M            model of every request (default claude-sonnet-4-5)
              --sessions N         conversations the requests are turns of (default 100; 0: each its own)
              --interval D         how often to print a progress line (default 10s)
              --max-in-flight N    requests in flight at most; a tick beyond it is counted as skipped (default 2000)""";

    private SoakCommand() {}

    /** Runs the command; returns the exit code (0 every answer as expected, 1 some were not, 2 usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        String key = null;
        String base = null;
        double rate = 30;
        Duration duration = Duration.ofMinutes(30);
        double faultPercent = 1;
        String model = "claude-sonnet-4-5";
        Duration interval = Duration.ofSeconds(10);
        int maxInFlight = 2000;
        int sessions = 100;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help") || a.equals("-h")) {
                    out.println(HELP);
                    return 0;
                }
                if (!a.startsWith("--")) {
                    base = a;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + ": missing value");
                }
                String v = args[++i];
                switch (a) {
                    case "--key" -> key = v;
                    case "--rate" -> rate = Double.parseDouble(v);
                    case "--duration" -> duration = duration(v);
                    case "--fault-percent" -> faultPercent = Double.parseDouble(v);
                    case "--model" -> model = v;
                    case "--interval" -> interval = duration(v);
                    case "--max-in-flight" -> maxInFlight = Integer.parseInt(v);
                    case "--sessions" -> sessions = Integer.parseInt(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (key == null || base == null) {
                throw new IllegalArgumentException("--key and BASE_URL are required");
            }
            if (!(rate > 0) || rate > 10_000) {
                throw new IllegalArgumentException("rate: " + rate + " (expected: 0 < rate <= 10000)");
            }
            SoakMix mix = new SoakMix(model, faultPercent, sessions);
            return new SoakRun(URI.create(base), key, mix, rate, duration, interval, maxInFlight, out).run();
        } catch (IllegalArgumentException e) {
            err.println("soak: " + e.getMessage() + " (see --help)");
            return 2;
        }
    }

    static Duration duration(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        long n = Long.parseLong(s.substring(0, s.length() - 1));
        switch (s.charAt(s.length() - 1)) {
            case 's':
                return Duration.ofSeconds(n);
            case 'm':
                return Duration.ofMinutes(n);
            case 'h':
                return Duration.ofHours(n);
            default:
                throw new IllegalArgumentException("duration: " + v + " (expected: 500ms, 90s, 30m, 1h)");
        }
    }

    /** One soak run: the schedule, the client, the counts. */
    private static final class SoakRun {

        private final URI base;
        private final String key;
        private final SoakMix mix;
        private final double rate;
        private final Duration duration;
        private final Duration interval;
        private final int maxInFlight;
        private final PrintStream out;
        private final HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong done = new AtomicLong();
        private final AtomicLong ok = new AtomicLong();
        private final AtomicLong faultsAnswered = new AtomicLong();
        private final AtomicLong unexpected = new AtomicLong();
        private final AtomicLong transportErrors = new AtomicLong();
        private final AtomicLong skipped = new AtomicLong();
        private final Map<String, Long> unexpectedKinds = new ConcurrentHashMap<>();
        private final AtomicLong streams = new AtomicLong();
        private final AtomicLong responseBytes = new AtomicLong();
        private final long startNanos = System.nanoTime();

        SoakRun(
                URI base,
                String key,
                SoakMix mix,
                double rate,
                Duration duration,
                Duration interval,
                int maxInFlight,
                PrintStream out) {
            this.base = base;
            this.key = key;
            this.mix = mix;
            this.rate = rate;
            this.duration = duration;
            this.interval = interval;
            this.maxInFlight = maxInFlight;
            this.out = out;
        }

        int run() throws InterruptedException {
            ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, r -> {
                Thread t = new Thread(r, "soak-timer");
                t.setDaemon(true);
                return t;
            });
            long periodNanos = (long) (1_000_000_000L / rate);
            long total = (long) (rate * duration.toNanos() / 1e9);
            timer.scheduleAtFixedRate(
                    () -> {
                        if (sent.get() + skipped.get() < total) {
                            send();
                        }
                    },
                    0,
                    periodNanos,
                    TimeUnit.NANOSECONDS);
            timer.scheduleAtFixedRate(
                    () -> progress(false), interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
            while (sent.get() + skipped.get() < total) {
                Thread.sleep(100);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (done.get() < sent.get() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            timer.shutdownNow();
            progress(true);
            boolean clean = done.get() == sent.get() && unexpected.get() == 0 && transportErrors.get() == 0;
            return clean && skipped.get() == 0 ? 0 : 1;
        }

        private void send() {
            if (sent.get() - done.get() >= maxInFlight) {
                skipped.incrementAndGet();
                return;
            }
            long n = sent.getAndIncrement();
            SoakMix.Request r = mix.request(n);
            if (r.stream()) {
                streams.incrementAndGet();
            }
            HttpRequest req = HttpRequest.newBuilder(base.resolve(r.format().path))
                    .timeout(Duration.ofSeconds(120))
                    .header("content-type", "application/json")
                    .header("x-api-key", key)
                    .header("authorization", "Bearer " + key)
                    .header("anthropic-version", "2023-06-01")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(r.body()))
                    .build();
            client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((resp, failure) -> {
                if (failure != null) {
                    transportErrors.incrementAndGet();
                } else {
                    responseBytes.addAndGet(resp.body().length);
                    classify(r, resp.statusCode(), new String(resp.body(), StandardCharsets.UTF_8));
                }
                done.incrementAndGet();
            });
        }

        private void classify(SoakMix.Request r, int status, String body) {
            boolean complete = status == 200 && (!r.stream() || completeStream(r.format(), body));
            boolean expected = r.fault().isEmpty() == complete;
            if (r.fault().isEmpty()) {
                (complete ? ok : unexpected).incrementAndGet();
            } else {
                (complete ? unexpected : faultsAnswered).incrementAndGet();
            }
            if (!expected) {
                String what = r.format() + (r.stream() ? " stream" : " json") + " " + r.fault() + " -> " + status;
                unexpectedKinds.merge(what, 1L, Long::sum);
            }
        }

        private static boolean completeStream(SoakMix.Format format, String body) {
            // The final event, and no error event: Anthropic's and Responses' "event: error", a Chat error chunk.
            return body.contains(format.terminal)
                    && !body.contains("event: error")
                    && !body.contains("data: {\"error\"");
        }

        private synchronized void progress(boolean last) {
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
            out.println("{\"t\":" + seconds + ",\"final\":" + last + ",\"sent\":" + sent.get() + ",\"done\":"
                    + done.get() + ",\"ok\":" + ok.get() + ",\"faults_answered\":" + faultsAnswered.get()
                    + ",\"unexpected\":" + unexpected.get() + ",\"transport_errors\":" + transportErrors.get()
                    + ",\"skipped\":" + skipped.get() + ",\"streams\":" + streams.get() + ",\"response_bytes\":"
                    + responseBytes.get() + ",\"unexpected_kinds\":\"" + unexpectedKinds + "\"}");
            out.flush();
        }
    }
}
