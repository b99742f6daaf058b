package io.relaygate.bench.mock;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Checks a request's SigV4 signature the way AWS does: reads the {@code Authorization} header's credential scope and
 * signed headers, signs the same request again with the AWS SDK's signer, the test's secret and the request's own
 * {@code X-Amz-Date}, and compares the two signatures.
 */
final class MockSigV4 {

    private static final Pattern AUTH = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), "
                    + "Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private MockSigV4() {}

    /** Null when the signature holds; else Bedrock's reason for the 403. */
    static @Nullable String refusal(FullHttpRequest req, byte[] body, MockCloud cloud, boolean tls) {
        String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        Matcher m = AUTH.matcher(auth);
        if (!m.matches()) {
            return "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.";
        }
        String keyId = m.group(1);
        String secret = cloud.secret(keyId);
        if (secret == null) {
            return "The security token included in the request is invalid.";
        }
        String token = req.headers().get("x-amz-security-token");
        if (token != null && cloud.expired(token)) {
            return "The security token included in the request is expired";
        }
        String date = req.headers().get("x-amz-date");
        if (date == null) {
            return "Missing Authentication Token";
        }
        Instant at = LocalDateTime.parse(date, AMZ_DATE).toInstant(ZoneOffset.UTC);
        String host = req.headers().get(HttpHeaderNames.HOST, "");
        int colon = host.lastIndexOf(':');
        SdkHttpRequest.Builder again = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(req.method().name()))
                .protocol(tls ? "https" : "http")
                .host(colon > 0 ? host.substring(0, colon) : host)
                .port(colon > 0 ? Integer.parseInt(host.substring(colon + 1)) : (tls ? 443 : 80))
                .encodedPath(req.uri().split("\\?", 2)[0]);
        List<String> signed = List.of(m.group(5).split(";"));
        for (Map.Entry<String, String> h : req.headers()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (signed.contains(name) && !name.equals("host") && !name.equals("authorization")) {
                again.appendHeader(name, h.getValue());
            }
        }
        AwsCredentialsIdentity identity = token == null
                ? AwsCredentialsIdentity.create(keyId, secret)
                : AwsSessionCredentialsIdentity.create(keyId, secret, token);
        String expected = AwsV4HttpSigner.create()
                .sign(SignRequest.builder(identity)
                        .request(again.build())
                        .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, m.group(4))
                        .putProperty(AwsV4HttpSigner.REGION_NAME, m.group(3))
                        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))
                        .build())
                .request()
                .firstMatchingHeader("Authorization")
                .orElse("");
        Matcher e = AUTH.matcher(expected);
        if (!e.matches() || !e.group(6).equals(m.group(6))) {
            return "The request signature we calculated does not match the signature you provided. Check your AWS"
                    + " Secret Access Key and signing method. Consult the service documentation for details.";
        }
        return null;
    }
}
