package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MockNoRecordTest {

    @Test
    void aMockThatDoesNotRecordStillAnswers() throws Exception {
        try (MockUpstream mock = MockUpstream.start(MockOptions.defaults().withRecord(false))) {
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/v1/messages"))
                                    .header("content-type", "application/json")
                                    .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                    "{\"model\":\"m\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"type\":\"message\"");
            assertThat(mock.exchanges())
                    .as("benchmarks: nothing kept per request")
                    .isEmpty();
        }
    }
}
