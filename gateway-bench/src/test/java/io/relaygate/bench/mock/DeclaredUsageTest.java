package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeclaredUsageTest {

    @Test
    void countsTheLargestCumulativeCountsOnceAndIgnoresCacheAndDetailFields() {
        DeclaredUsage u = new DeclaredUsage();
        assertThat(u.declare("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
                        + "{\"input_tokens\":12,\"cache_creation_input_tokens\":400,\"cache_read_input_tokens\":300,"
                        + "\"output_tokens\":1}}}\n\n"))
                .containsExactly(12, 1);
        assertThat(u.declare("event: content_block_delta\ndata: {\"delta\":{\"text\":\"output_tokens\"}}\n\n"))
                .as("no usage object: nothing declared")
                .containsExactly(0, 0);
        assertThat(u.declare("event: message_delta\ndata: {\"usage\":{\"output_tokens\":5}}\n\n"))
                .as("cumulative: only the raise counts")
                .containsExactly(0, 4);
    }

    @Test
    void readsTheOpenAiNames() {
        DeclaredUsage chat = new DeclaredUsage();
        assertThat(chat.declare("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":99}}}\n\n"))
                .containsExactly(7, 3);
        DeclaredUsage responses = new DeclaredUsage();
        assertThat(responses.declare("{\"usage\":{\"input_tokens\":9,\"input_tokens_details\":{\"cached_tokens\":0},"
                        + "\"output_tokens\":2,\"output_tokens_details\":{\"reasoning_tokens\":0}}}"))
                .containsExactly(9, 2);
    }
}
