package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MockValidationTest {

    private static MockUpstream mock;
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() {
        mock = MockUpstream.start(MockOptions.defaults());
    }

    @AfterAll
    static void stop() {
        mock.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
        /v1/messages              | {"model":"m","max_tokens":5,"messages":"hi"}        | messages: Input should be a valid list
        /v1/messages              | {"model":"m","messages":[{"role":"user","content":"x"}]} | max_tokens: Field required
        /v1/messages              | {"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]} | greater than or equal to 1
        /v1/messages              | {"max_tokens":5,"messages":[{"role":"user","content":"x"}]} | model: Field required
        /v1/messages              | {"model":"m","max_tokens":5,"messages":[]}          | at least one message
        /v1/messages              | {"model":"m","max_tokens":5,"messages":["x"]}       | messages.0: Input should be a valid dictionary
        /v1/messages/count_tokens | {"model":"m","messages":"hi"}                       | messages: Input should be a valid list
        /v1/chat/completions      | {"model":"m","messages":"hi"}                       | Invalid type for 'messages': expected an array of objects, but got a string
        /v1/chat/completions      | {"model":"m"}                                       | Missing required parameter: 'messages'.
        /v1/chat/completions      | {"model":"m","stream":"yes","messages":[{}]}        | Invalid type for 'stream'
        /v1/chat/completions      | {"model":"m","max_tokens":-1,"messages":[{}]}       | Invalid 'max_tokens': integer below minimum value
        /v1/responses             | {"model":"m","input":5}                             | Invalid type for 'input'
        /v1/responses             | {"model":"m","input":["x"]}                         | Invalid type for 'input[0]'
        /v1/responses             | {"input":"x"}                                       | Missing required parameter: 'model'.
        """)
    void structurallyBrokenRequestsGetTheRealApisFourHundred(String path, String body, String message)
            throws Exception {
        HttpResponse<String> r = post(path, body);

        assertThat(r.statusCode()).as(body).isEqualTo(400);
        JsonNode error = json.readTree(r.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains(message);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
        /v1/messages              | {"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}
        /v1/messages/count_tokens | {"model":"m","messages":[{"role":"user","content":"hi"}]}
        /v1/chat/completions      | {"model":"m","max_tokens":null,"stream":null,"messages":[{"role":"user","content":"hi"}]}
        /v1/responses             | {"model":"m","input":"hi"}
        /v1/responses             | {"model":"m","input":[{"role":"user","content":"hi"}],"max_output_tokens":32}
        """)
    void wellShapedRequestsAreAnswered(String path, String body) throws Exception {
        assertThat(post(path, body).statusCode()).as(body).isEqualTo(200);
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(mock.baseUrl() + path))
                        .header("x-api-key", "sk-test")
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
