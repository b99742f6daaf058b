package io.relaygate.server.upstream;

import io.netty.handler.codec.http.HttpHeaders;
import io.relaygate.core.BedrockCredentials;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Signs a Bedrock runtime request with AWS Signature Version 4, using the AWS SDK's signer (service {@code bedrock},
 * the account's region, the payload's SHA-256 signed). CPU only: safe on an event loop. The signature covers the
 * headers given here, which must be the ones sent.
 */
final class BedrockSigner {

    /** Bedrock runtime's signing name (the SDK's {@code BedrockRuntimeClient} signs as {@code bedrock}). */
    static final String SERVICE = "bedrock";

    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private BedrockSigner() {}

    /**
     * Adds {@code Authorization}, {@code X-Amz-Date}, {@code x-amz-content-sha256} and (for temporary credentials)
     * {@code X-Amz-Security-Token} to {@code headers}.
     *
     * @param encodedPath the request path as sent (percent-encoded)
     */
    static void sign(
            BedrockCredentials c,
            boolean tls,
            String host,
            int port,
            String encodedPath,
            HttpHeaders headers,
            byte[] body,
            Clock clock) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .protocol(tls ? "https" : "http")
                .host(host)
                .port(port)
                .encodedPath(encodedPath);
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey();
            if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("user-agent")) {
                request.appendHeader(name, h.getValue());
            }
        }
        AwsCredentialsIdentity identity = c.sessionToken() == null
                ? AwsCredentialsIdentity.create(c.accessKeyId(), c.secretAccessKey())
                : AwsSessionCredentialsIdentity.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
        SignedRequest signed = SIGNER.sign(SignRequest.builder(identity)
                .request(request.build())
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SERVICE)
                .putProperty(AwsV4HttpSigner.REGION_NAME, c.region())
                .putProperty(HttpSigner.SIGNING_CLOCK, clock)
                .build());
        for (Map.Entry<String, List<String>> h : signed.request().headers().entrySet()) {
            String name = h.getKey();
            if (name.equalsIgnoreCase("authorization") || name.regionMatches(true, 0, "x-amz-", 0, 6)) {
                headers.set(name, h.getValue().get(0));
            }
        }
    }
}
