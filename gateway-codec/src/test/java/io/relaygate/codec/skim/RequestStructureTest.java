package io.relaygate.codec.skim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Route;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestStructureTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
        MESSAGES         | {"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}
        MESSAGES         | {"model":"m","max_tokens":5,"stream":null,"messages":[{"role":"user","content":"hi"}]}
        COUNT_TOKENS     | {"model":"m","messages":[{"role":"user","content":"hi"}]}
        CHAT_COMPLETIONS | {"model":"m","messages":[{"role":"user","content":"hi"}]}
        CHAT_COMPLETIONS | {"model":"m","max_tokens":null,"max_completion_tokens":9,"messages":[{}]}
        RESPONSES        | {"model":"m"}
        RESPONSES        | {"model":"m","input":"hi","max_output_tokens":null}
        RESPONSES        | {"model":"m","input":[],"max_output_tokens":16}
        RESPONSES        | {"model":"m","input":[{"role":"user","content":"x"}]}
        """)
    void wellShapedRequestsPass(Route route, String body) {
        assertThat(fault(route, body)).isNull();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
        MESSAGES         | {"max_tokens":5,"messages":[{}]}                             | model: field required
        MESSAGES         | {"model":"","max_tokens":5,"messages":[{}]}                  | model: an empty string
        MESSAGES         | {"model":"  ","max_tokens":5,"messages":[{}]}                | model: an empty string
        MESSAGES         | {"model":"m","max_tokens":5,"messages":"hi"}                 | messages: a string (expected: an array
        MESSAGES         | {"model":"m","max_tokens":5,"messages":{"role":"user"}}      | messages: an object
        MESSAGES         | {"model":"m","max_tokens":5,"messages":null}                 | messages: null
        MESSAGES         | {"model":"m","max_tokens":5}                                 | messages: field required
        MESSAGES         | {"model":"m","max_tokens":5,"messages":[]}                   | messages: an empty array
        MESSAGES         | {"model":"m","max_tokens":5,"messages":[{},"x"]}             | messages[1]: not an object
        MESSAGES         | {"model":"m","max_tokens":5,"messages":[[]]}                 | messages[0]: not an object
        MESSAGES         | {"model":"m","messages":[{}]}                                | max_tokens: field required
        MESSAGES         | {"model":"m","max_tokens":null,"messages":[{}]}              | max_tokens: field required
        MESSAGES         | {"model":"m","max_tokens":0,"messages":[{}]}                 | max_tokens: 0 (expected: a positive integer)
        MESSAGES         | {"model":"m","max_tokens":-3,"messages":[{}]}                | max_tokens: -3
        MESSAGES         | {"model":"m","max_tokens":"5","messages":[{}]}               | max_tokens: a string
        MESSAGES         | {"model":"m","max_tokens":5.5,"messages":[{}]}               | max_tokens: a number
        MESSAGES         | {"model":"m","max_tokens":true,"messages":[{}]}              | max_tokens: a boolean
        MESSAGES         | {"model":"m","max_tokens":99999999999999999999,"messages":[{}]} | max_tokens: an integer out of range
        COUNT_TOKENS     | {"model":"m","messages":"hi"}                                | messages: a string
        CHAT_COMPLETIONS | {"model":"m","messages":"hi"}                                | messages: a string
        CHAT_COMPLETIONS | {"model":"m"}                                                | messages: field required
        CHAT_COMPLETIONS | {"model":"m","messages":[1]}                                 | messages[0]: not an object
        CHAT_COMPLETIONS | {"model":"m","max_tokens":0,"messages":[{}]}                 | max_tokens: 0
        CHAT_COMPLETIONS | {"model":"m","max_completion_tokens":"9","messages":[{}]}    | max_completion_tokens: a string
        RESPONSES        | {"model":"m","input":5}                                      | input: a number (expected: a string or an array
        RESPONSES        | {"model":"m","input":{"role":"user"}}                        | input: an object
        RESPONSES        | {"model":"m","input":["hi"]}                                 | input[0]: not an object
        RESPONSES        | {"model":"m","input":"x","max_output_tokens":-1}             | max_output_tokens: -1
        RESPONSES        | {"model":7}                                                  | model: a number
        """)
    void misshapenRequestsAreRefusedNamingTheMember(Route route, String body, String message) {
        assertThat(fault(route, body)).as(body).isNotNull().contains(message);
    }

    private static @Nullable String fault(Route route, String body) {
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        try {
            GatewayException e = catchThrowableOfType(GatewayException.class, () -> RequestSkimmer.skim(buf, route));
            if (e == null) {
                return null;
            }
            assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
            assertThat(buf.readerIndex()).as("the body is left as it was").isZero();
            return e.getMessage();
        } finally {
            buf.release();
        }
    }
}
