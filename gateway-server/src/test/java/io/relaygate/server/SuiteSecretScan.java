package io.relaygate.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * The secret scan over the whole test run of this module (registered for every class through the service file): from
 * the first test class on it keeps every log line (the tests log {@code io.relaygate} at DEBUG) and every response the
 * {@link GatewayHarness} received, and when the run ends it looks in them for every secret the tests registered
 * (gateway keys, upstream keys, OAuth tokens): a hit fails the run. {@link SecretScanIT} does the same for one
 * scenario full of secrets; this catches what any other test makes the gateway write.
 */
public final class SuiteSecretScan implements BeforeAllCallback {

    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    private static final List<String> RESPONSES = Collections.synchronizedList(new ArrayList<>());

    /** Registers a secret the gateway must never write; short strings are ignored (they would match by chance). */
    static void secret(String value) {
        if (value != null && value.length() >= 12) {
            SECRETS.add(value);
        }
    }

    static void response(String statusHeadersAndBody) {
        RESPONSES.add(statusHeadersAndBody);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Scan.class, k -> new Scan(), Scan.class);
    }

    /** Collects log lines from its creation; scans when the whole run closes the root store. */
    static final class Scan extends AppenderBase<ILoggingEvent> implements AutoCloseable {

        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

        Scan() {
            setName("suite-secret-scan");
            setContext(root.getLoggerContext());
            start();
            root.addAppender(this);
        }

        @Override
        protected void append(ILoggingEvent e) {
            lines.add(e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                            ? ""
                            : " " + e.getThrowableProxy().getMessage()));
        }

        @Override
        public void close() {
            root.detachAppender(this);
            stop();
            List<String> hits = new ArrayList<>();
            synchronized (lines) {
                scan("log line", lines, hits);
            }
            synchronized (RESPONSES) {
                scan("response", RESPONSES, hits);
            }
            if (!hits.isEmpty()) {
                throw new AssertionError("secrets written during the test run: " + hits);
            }
        }

        private static void scan(String what, List<String> texts, List<String> hits) {
            for (String secret : SECRETS) {
                for (String t : texts) {
                    if (t.contains(secret)) {
                        hits.add(what + " with " + secret.substring(0, 6) + "…");
                        break;
                    }
                }
            }
        }
    }
}
