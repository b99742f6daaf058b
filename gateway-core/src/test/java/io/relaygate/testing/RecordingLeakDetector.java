package io.relaygate.testing;

import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Netty leak detector that remembers every leak report so {@link LeakDetectionExtension} can fail the test run.
 * Installed for every test JVM through {@code -Dio.netty.customResourceLeakDetector} (see the parent POM), which
 * Netty reads before any buffer class builds its detector.
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();

    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        super(resourceType, samplingInterval, maxActive);
    }

    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval, Long.MAX_VALUE);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        LEAKS.add(resourceType + " leaked:" + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        LEAKS.add(resourceType + " leaked (untraced)");
        super.reportUntracedLeak(resourceType);
    }

    /** Leaks reported so far, and forgets them. */
    static List<String> drain() {
        List<String> out = new java.util.ArrayList<>();
        for (String s; (s = LEAKS.poll()) != null; ) {
            out.add(s);
        }
        return out;
    }
}
