package io.relaygate.accounts.people;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.relaygate.accounts.StoreException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The JSON form of the sign-in records in {@link SignInStore}, and the digest that names a record by its secret. */
final class SignInJson {

    static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private SignInJson() {}

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new StoreException("sign-in record: cannot write it (" + e.getOriginalMessage() + ")");
        }
    }

    static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new StoreException("sign-in record: unreadable (" + type.getSimpleName() + ")");
        }
    }

    /**
     * The store id of a record named by a high-entropy secret (a device code, a link): hex SHA-256. A 256-bit random
     * secret needs no salt or pepper to be safe from guessing, and a copy of the store holds no usable secret.
     */
    static String digest(String secret) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (GeneralSecurityException e) {
            // every Java platform is required to provide SHA-256 (MessageDigest Javadoc)
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
