package io.relaygate.codec.responses.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResponsesToolsTest {

    @Test
    void validNamesPassUnchangedAndAreRemembered() {
        ResponsesTools tools = new ResponsesTools();

        assertThat(tools.register("apply_patch", null, true)).isEqualTo("apply_patch");
        assertThat(tools.register("apply_patch", null, true)).as("idempotent").isEqualTo("apply_patch");
        assertThat(tools.isCustom("apply_patch")).isTrue();
        assertThat(tools.isCustom("unknown")).isFalse();
        assertThat(tools.clientName("unknown")).isEqualTo("unknown");
        assertThat(tools.namespace("apply_patch")).isNull();
    }

    @Test
    void invalidAndLongNamesAreMadeToFitReversibly() {
        ResponsesTools tools = new ResponsesTools();
        String dotted = tools.register("mcp.files.read", null, false);
        String longName = "x".repeat(200);
        String shortened = tools.register(longName, null, false);

        assertThat(dotted).matches("^mcp_files_read_[0-9a-f]{8}$");
        assertThat(shortened).hasSize(ResponsesTools.MAX_NAME).matches("^[a-zA-Z0-9_-]+$");
        assertThat(tools.clientName(dotted)).isEqualTo("mcp.files.read");
        assertThat(tools.clientName(shortened)).isEqualTo(longName);
        assertThat(tools.upstreamName("mcp.files.read", null)).isEqualTo(dotted);
        assertThat(tools.upstreamName("never.registered", null))
                .as("history names are fitted the same way")
                .isEqualTo(ResponsesTools.fit("never.registered"));
    }

    @Test
    void defaultNamespaceIsNotEchoedOthersAre() {
        ResponsesTools tools = new ResponsesTools();
        tools.register("exec", "functions", true);
        tools.register("sleep", "clock", false);

        assertThat(tools.namespace("exec")).isNull();
        assertThat(tools.namespace("sleep")).isEqualTo("clock");
        assertThat(tools.upstreamName("sleep", "clock")).isEqualTo("sleep");
        assertThat(tools.upstreamName("exec", null))
                .as("found through the default namespace")
                .isEqualTo("exec");
    }
}
