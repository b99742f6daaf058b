package io.relaygate.codec.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.skim.RequestSkimmer;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Route;

/**
 * Fuzzes the request skim with request bodies on every route: it returns or refuses with a 400 naming the fault, never
 * throws anything else, and leaves the body it reads as it was.
 */
class SkimFuzzTest {

    @FuzzTest(maxDuration = StreamFuzzTest.FUZZ_DURATION)
    void skimAnswersOrRefusesWithA400AndLeavesTheBody(FuzzedDataProvider data) {
        Route route = data.pickValue(
                new Route[] {Route.MESSAGES, Route.COUNT_TOKENS, Route.CHAT_COMPLETIONS, Route.RESPONSES});
        byte[] body = data.consumeRemainingAsBytes();
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            RequestSkimmer.skim(buf, route);
        } catch (GatewayException e) {
            assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
            assertThat(e.getMessage()).isNotBlank();
        } finally {
            assertThat(buf.readerIndex()).isZero();
            assertThat(buf.refCnt()).isEqualTo(1);
            buf.release();
        }
    }
}
