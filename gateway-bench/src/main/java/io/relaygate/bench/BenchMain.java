package io.relaygate.bench;

import io.relaygate.bench.idp.IdpCommand;
import io.relaygate.bench.load.LoadCommand;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import io.relaygate.bench.soak.SoakCommand;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * {@code relaygate-bench.jar}: the mock upstream ({@code mock}) for demos, manual tests and benchmarks, the load driver
 * ({@code load}) and the JMH benchmarks of the codecs ({@code jmh}).
 */
public final class BenchMain {

    static final String HELP = """
            Usage: relaygate-bench <command> [options]

            Commands:
              mock   run the mock upstream AI provider (Anthropic Messages, OpenAI Chat Completions and Responses)
              idp    run the mock OpenID Connect provider (sign-in runs against a gateway)
              load   closed- or open-loop HTTP load with latency percentiles and SSE stream checks
              soak   mixed traffic in three formats with mock faults at a fixed rate, for long runs (run-soak.sh)
              jmh    the JMH benchmarks (request skim, SSE framer, transcoders); JMH's own options, e.g. -wi 2 -i 3 -f 1

            Run 'relaygate-bench <command> --help' for its options.""";

    static final String MOCK_HELP = """
            Usage: relaygate-bench mock [--port P] [--ttft-ms N] [--events N] [--event-interval-ms N] [--flood-bytes N]
                                        [--oauth-expires-in-s N] [--tls] [--http2]
                                        [--max-streams N] [--no-record]

            Serves on 127.0.0.1, each API in its own format (JSON and SSE, any path prefix):
              Anthropic  POST /v1/messages, /v1/messages/count_tokens, GET /v1/models
              Chat       POST .../chat/completions
              Responses  POST /v1/responses, /openai/v1/responses, /responses, /backend-api/codex/responses
                         (GET with Upgrade: websocket gets 404, as from a server without WebSockets)
            A 'mock:<scenario>' text in the last user message, or an upstream key 'mock-<scenario>', picks the
            scenario: text, tool_use, thinking, error-429, error-529 (503 for OpenAI), error-500, error-401,
            reset-mid-stream, reset-before-head, hang, slow, flood, shell (call the request's own shell tool once, then answer with
            its output), and for Responses custom-tool and failed. Usage is deterministic: input tokens = request
            body bytes / 4, output tokens = delta events sent. Per request: headers x-mock-events, x-mock-ttft-ms,
            x-mock-event-interval-ms, x-mock-ratelimit-remaining-requests (and the other x-ratelimit-* names).
            OAuth token endpoints (JSON or form): POST .../v1/oauth/token answers like Claude's (sk-ant-oat01-...
            access, sk-ant-ort01-... refresh tokens), any other POST .../oauth/token like OpenAI's (JWT access and
            id tokens with chatgpt_account_id). Grants: authorization_code with a code 'mock-code-...',
            refresh_token with a refresh token the mock issued (rotated: each works once). Bearers the mock issued
            must not be expired; Claude's need anthropic-beta: oauth-2025-04-20.

              --port P                port (default 4000; 0 = any free port)
              --ttft-ms N             delay before the first event (default 0)
              --events N              delta events of a text answer (default 5)
              --event-interval-ms N   delay between delta events (default 0)
              --flood-bytes N         size of the flood scenario's stream (default 64 MiB)
              --oauth-expires-in-s N  lifetime of issued OAuth access tokens (default 3600)
              --tls                   serve HTTPS on localhost with a self-signed certificate; prints the PEM
                                      file and a PKCS12 trust store to trust it with
              --http2                 also speak HTTP/2: h2 by ALPN with --tls, else h2c with prior knowledge
              --max-streams N         SETTINGS_MAX_CONCURRENT_STREAMS of an HTTP/2 connection (default 100)
              --no-record             keep no exchanges (benchmarks: the recording grows with every request)""";

    private BenchMain() {}

    public static void main(String[] args) throws InterruptedException {
        int code = run(args, System.out, System.err);
        if (code >= 0) {
            System.exit(code);
        }
    }

    /** Runs a command; returns the exit code, or -1 when a server was started and keeps running. */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.println(HELP);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "mock":
                return mock(rest, out, err);
            case "idp":
                return IdpCommand.run(rest, out, err);
            case "load":
                return LoadCommand.run(rest, out, err);
            case "soak":
                return SoakCommand.run(rest, out, err);
            case "jmh":
                return jmh(rest, err);
            default:
                err.println("unknown command: " + args[0] + " (expected: mock, idp, load, soak or jmh)");
                return 2;
        }
    }

    private static int jmh(String[] args, PrintStream err) {
        try {
            org.openjdk.jmh.Main.main(args);
            return 0;
        } catch (Exception e) {
            err.println("jmh: " + e);
            return 1;
        }
    }

    private static int mock(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        MockOptions options = MockOptions.defaults().withPort(4000);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                out.println(MOCK_HELP);
                return 0;
            }
            if (a.equals("--tls")) {
                options = options.withTls(true);
                continue;
            }
            if (a.equals("--http2")) {
                options = options.withHttp2(true);
                continue;
            }
            if (a.equals("--no-record")) {
                options = options.withRecord(false);
                continue;
            }
            if (i + 1 >= args.length) {
                err.println(a + ": missing value (see --help)");
                return 2;
            }
            String v = args[++i];
            try {
                switch (a) {
                    case "--port":
                        options = options.withPort(Integer.parseInt(v));
                        break;
                    case "--ttft-ms":
                        options = options.withTtft(Duration.ofMillis(Long.parseLong(v)));
                        break;
                    case "--events":
                        options = options.withEvents(Integer.parseInt(v));
                        break;
                    case "--max-streams":
                        options = options.withMaxConcurrentStreams(Integer.parseInt(v));
                        break;
                    case "--event-interval-ms":
                        options = options.withEventInterval(Duration.ofMillis(Long.parseLong(v)));
                        break;
                    case "--flood-bytes":
                        options = options.withFloodBytes(Long.parseLong(v));
                        break;
                    case "--oauth-expires-in-s":
                        options = options.withOAuthExpiresIn(Duration.ofSeconds(Long.parseLong(v)));
                        break;
                    default:
                        err.println("unknown option: " + a + " (see --help)");
                        return 2;
                }
            } catch (IllegalArgumentException e) {
                err.println(a + ": " + v + " is not valid (" + e.getMessage() + ")");
                return 2;
            }
        }
        MockUpstream mock;
        try {
            mock = MockUpstream.start(options);
        } catch (RuntimeException e) {
            err.println("cannot listen on 127.0.0.1:" + options.port() + ": " + e.getMessage());
            return 1;
        }
        out.println("Mock upstream listening on " + mock.baseUrl());
        if (mock.tls()) {
            MockUpstream.TrustStore trust = mock.trustStore();
            out.println("Certificate (PEM): " + mock.certificatePem());
            out.println("Trust store: " + trust.path() + " (" + trust.type() + ", password " + trust.password() + ")");
        }
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            mock.close();
            stopped.countDown();
        }));
        stopped.await();
        return -1;
    }
}
