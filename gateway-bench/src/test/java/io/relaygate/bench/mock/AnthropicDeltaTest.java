package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class AnthropicDeltaTest {

    @Test
    void aDeltaBuiltAsTextIsWhatJacksonsTreeWrites() {
        String[] values = {
            "",
            "Hello",
            " from the mock upstream (7)",
            "quote \" backslash \\ slash /",
            "tab\tnew line\ncarriage\rcontrol \u0001 \u001f",
            "héllo ✓ \u2028 \uD83D\uDE00",
            "{\"file_path\":"
        };
        for (String type : new String[] {"text", "thinking", "tool_use"}) {
            for (int index : new int[] {0, 1, 12}) {
                for (String v : values) {
                    assertThat(AnthropicScript.delta(index, type, v))
                            .as("%s delta of %s", type, v)
                            .isEqualTo(jackson(index, type, v));
                }
            }
        }
    }

    private static String jackson(int index, String blockType, String value) {
        ObjectNode ev = AnthropicScript.JSON
                .createObjectNode()
                .put("type", "content_block_delta")
                .put("index", index);
        ObjectNode d = ev.putObject("delta");
        switch (blockType) {
            case "tool_use" -> d.put("type", "input_json_delta").put("partial_json", value);
            case "thinking" -> d.put("type", "thinking_delta").put("thinking", value);
            default -> d.put("type", "text_delta").put("text", value);
        }
        return ev.toString();
    }
}
