package io.relaygate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran. Registered for every test class through
 * JUnit's extension auto-detection (service file in this test-jar, switched on in the parent POM).
 *
 * <p>Leaks are found when the garbage collector has collected an unreleased buffer and the detector is next used, so
 * after each class this collects garbage and allocates a few buffers to let the detector report.
 */
public final class LeakDetectionExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new IllegalStateException("leak detection level: " + ResourceLeakDetector.getLevel()
                    + " (expected: PARANOID; run tests through Maven or set -Dio.netty.leakDetection.level=paranoid)");
        }
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
            for (int j = 0; j < 8; j++) {
                ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(8);
                a.release();
                ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(8);
                b.release();
            }
        }
        List<String> leaks = RecordingLeakDetector.drain();
        assertThat(leaks)
                .as("Netty buffers leaked while %s ran", context.getDisplayName())
                .isEmpty();
    }
}
