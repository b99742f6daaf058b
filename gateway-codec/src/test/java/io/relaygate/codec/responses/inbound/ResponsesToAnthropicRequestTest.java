package io.relaygate.codec.responses.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import org.junit.jupiter.api.Test;

class ResponsesToAnthropicRequestTest {

    private static JsonNode json(String s) {
        try {
            return ResponsesStreams.JSON.readTree(s.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private static ObjectNode map(String request) {
        return map(request, "claude-sonnet-4-6", new ResponsesTools());
    }

    private static ObjectNode map(String request, String model, ResponsesTools tools) {
        return ResponsesToAnthropicRequest.map(json(request), model, tools);
    }

    @Test
    void stringInputInstructionsAndSampling() {
        ObjectNode out = map("{'model':'gpt-4.1','instructions':'Be terse.','input':'hi','temperature':1.5,"
                + "'top_p':0.9,'max_output_tokens':100,'stream':false,'store':true}");

        assertThat(out.path("system").path(0).path("text").asText()).isEqualTo("Be terse.");
        assertThat(out.path("messages")).hasSize(1);
        assertThat(out.path("messages")
                        .path(0)
                        .path("content")
                        .path(0)
                        .path("text")
                        .asText())
                .isEqualTo("hi");
        assertThat(out.path("temperature").asDouble())
                .as("capped at Anthropic's 1")
                .isEqualTo(1.0);
        assertThat(out.has("top_p")).as("not together with temperature").isFalse();
        assertThat(out.path("max_tokens").asLong()).isEqualTo(100);
        assertThat(out.path("stream").asBoolean(true)).isFalse();
        assertThat(out.has("thinking")).isFalse();
        assertThat(out.has("tools")).isFalse();
        assertThat(out.has("tool_choice")).isFalse();
    }

    @Test
    void laterDeveloperMessagesStayInPlaceAndConsecutiveItemsMerge() {
        ObjectNode out = map("{'input':["
                + "{'role':'developer','content':'first rules'},"
                + "{'role':'user','content':[{'type':'input_text','text':'a'}]},"
                + "{'type':'message','role':'user','content':[{'type':'input_text','text':'b'}]},"
                + "{'role':'assistant','content':[{'type':'output_text','text':'c'}]},"
                + "{'role':'developer','content':[{'type':'input_text','text':'new rules'}]},"
                + "{'role':'user','content':'d'}]}");
        JsonNode m = out.path("messages");

        assertThat(out.path("system").findValuesAsText("text")).containsExactly("first rules");
        assertThat(m).hasSize(3);
        assertThat(m.get(0).path("content").findValuesAsText("text")).containsExactly("a", "b");
        assertThat(m.get(1).path("role").asText()).isEqualTo("assistant");
        assertThat(m.get(2).path("content").findValuesAsText("text"))
                .containsExactly("<developer_message>\nnew rules\n</developer_message>", "d");
    }

    @Test
    void imagesFromDataUrlsUrlsAndFileIds() {
        ObjectNode out = map("{'input':[{'role':'user','content':["
                + "{'type':'input_image','image_url':'data:image/png;base64,iVBORw0K'},"
                + "{'type':'input_image','image_url':'https://example.com/a.jpg','detail':'high'},"
                + "{'type':'input_image','file_id':'file-123'},"
                + "{'type':'input_file','filename':'a.pdf','file_data':'data:application/pdf;base64,JVBE'}]}]}");
        JsonNode c = out.path("messages").path(0).path("content");

        assertThat(c.get(0).path("source"))
                .isEqualTo(json("{'type':'base64','media_type':'image/png','data':'iVBORw0K'}"));
        assertThat(c.get(1).path("source")).isEqualTo(json("{'type':'url','url':'https://example.com/a.jpg'}"));
        assertThat(c.get(2).path("text").asText()).contains("file-123");
        assertThat(c.get(3).path("type").asText()).isEqualTo("document");
    }

    @Test
    void invalidArgumentsAreKeptRawAndOrphansAndMissingOutputsAreRepaired() {
        ObjectNode out = map("{'input':["
                + "{'role':'user','content':'go'},"
                + "{'type':'function_call_output','call_id':'call_orphan','output':'late'},"
                + "{'type':'function_call','call_id':'call_1','name':'f','arguments':'{not json'},"
                + "{'type':'function_call','call_id':'call_2','name':'f','arguments':''},"
                + "{'type':'function_call_output','call_id':'call_2','output':''},"
                + "{'role':'user','content':'next'}],"
                + "'tools':[{'type':'function','name':'f'}]}");
        JsonNode m = out.path("messages");

        assertThat(m).hasSize(3);
        assertThat(m.get(0).path("content").findValuesAsText("text"))
                .containsExactly("go", "Output of tool call call_orphan:\nlate");
        JsonNode uses = m.get(1).path("content");
        assertThat(uses.get(0).path("input")).isEqualTo(json("{'_raw_arguments':'{not json'}"));
        assertThat(uses.get(1).path("input")).isEqualTo(json("{}"));
        JsonNode results = m.get(2).path("content");
        assertThat(results.get(0).path("tool_use_id").asText()).isEqualTo("call_1");
        assertThat(results.get(0).path("is_error").asBoolean())
                .as("synthetic answer")
                .isTrue();
        assertThat(results.get(0).path("content").asText()).isEqualTo(InputTurns.NO_OUTPUT);
        assertThat(results.get(1).path("tool_use_id").asText()).isEqualTo("call_2");
        assertThat(results.get(1).has("content"))
                .as("empty output sends no content")
                .isFalse();
        assertThat(results.get(2).path("text").asText()).isEqualTo("next");
        assertThat(out.path("tools").path(0).path("input_schema")).isEqualTo(json("{'type':'object','properties':{}}"));
    }

    @Test
    void ownReasoningItemsComeBackAsThinkingAndKeepThinkingOn() {
        ResponsesTools tools = new ResponsesTools();
        ObjectNode out = map(
                "{'reasoning':{'effort':'high'},'input':["
                        + "{'role':'user','content':'read it'},"
                        + "{'type':'reasoning','id':'rs_1','summary':[{'type':'summary_text','text':'Plan.'}],'content':null,"
                        + "'encrypted_content':'" + OutputItems.THINKING_MARK + "sig=='},"
                        + "{'type':'function_call','call_id':'toolu_1','name':'Read','arguments':'{}'},"
                        + "{'type':'function_call_output','call_id':'toolu_1','output':'text'}],"
                        + "'tools':[{'type':'function','name':'Read','parameters':{'type':'object'}}]}",
                "claude-opus-4-7",
                tools);
        JsonNode assistant = out.path("messages").path(1).path("content");

        assertThat(assistant.get(0)).isEqualTo(json("{'type':'thinking','thinking':'Plan.','signature':'sig=='}"));
        assertThat(out.path("thinking")).isEqualTo(json("{'type':'adaptive'}"));
        assertThat(out.path("output_config").path("effort").asText()).isEqualTo("high");
    }

    @Test
    void thinkingFollowsTheModelGeneration() {
        String req = "{'input':'hi','reasoning':{'effort':'medium'},'max_output_tokens':4000}";

        assertThat(map(req, "claude-sonnet-4-5-20250929", new ResponsesTools())
                        .path("thinking")
                        .toString())
                .as("budget below max_tokens")
                .isEqualTo("{\"type\":\"enabled\",\"budget_tokens\":3999}");
        assertThat(map(req, "claude-3-7-sonnet-20250219", new ResponsesTools())
                        .path("thinking")
                        .path("type")
                        .asText())
                .isEqualTo("enabled");
        assertThat(map(req, "claude-3-5-haiku-20241022", new ResponsesTools()).has("thinking"))
                .isFalse();
        assertThat(map(req, "claude-opus-4-6", new ResponsesTools())
                        .path("thinking")
                        .path("type")
                        .asText())
                .isEqualTo("adaptive");
        assertThat(map("{'input':'hi','reasoning':{'effort':'minimal'}}").has("thinking"))
                .isFalse();
        assertThat(map("{'input':'hi','reasoning':{'effort':'none'}}").has("output_config"))
                .isFalse();
    }

    @Test
    void toolChoiceMapping() {
        String tools = ",'tools':[{'type':'function','name':'f'},{'type':'custom','name':'g'}]";
        assertThat(map("{'input':'x','tool_choice':'required'" + tools + "}").path("tool_choice"))
                .isEqualTo(json("{'type':'any'}"));
        assertThat(map("{'input':'x','tool_choice':'none'," + "'parallel_tool_calls':false" + tools + "}")
                        .path("tool_choice"))
                .isEqualTo(json("{'type':'none'}"));
        assertThat(map("{'input':'x','tool_choice':{'type':'custom','name':'g'},'parallel_tool_calls':false" + tools
                                + "}")
                        .path("tool_choice"))
                .isEqualTo(json("{'type':'tool','name':'g','disable_parallel_tool_use':true}"));
        ObjectNode forced = map("{'input':'x','reasoning':{'effort':'high'},'tool_choice':{'type':'function',"
                + "'name':'f'}" + tools + "}");
        assertThat(forced.has("thinking"))
                .as("Anthropic refuses thinking with a forced tool")
                .isFalse();
        assertThat(map("{'input':'x','tool_choice':'required','tools':[{'type':'web_search'}]}")
                        .has("tool_choice"))
                .as("no tool_choice without tools")
                .isFalse();
    }

    @Test
    void sameNameInTwoNamespacesStaysApart() {
        ResponsesTools tools = new ResponsesTools();
        ObjectNode out = map(
                "{'input':'x','tools':[{'type':'namespace','name':'a','tools':[{'type':'function',"
                        + "'name':'send'}]},{'type':'namespace','name':'b','tools':[{'type':'function','name':'send'}]}]}",
                "claude-opus-5-5",
                tools);

        assertThat(out.path("tools").findValuesAsText("name")).containsExactly("send", "b__send");
        assertThat(tools.clientName("b__send")).isEqualTo("send");
        assertThat(tools.namespace("b__send")).isEqualTo("b");
        assertThat(tools.namespace("send")).isEqualTo("a");
    }

    @Test
    void malformedRequestsAreRejectedWithTheField() {
        assertThatThrownBy(() -> map("[1]"))
                .isInstanceOf(GatewayException.class)
                .satisfies(e -> assertThat(((GatewayException) e).kind()).isEqualTo(ErrorKind.INVALID_REQUEST));
        assertThatThrownBy(() -> map("{'instructions':'only rules','input':[]}"))
                .isInstanceOf(GatewayException.class)
                .hasMessageContaining("input");
    }
}
