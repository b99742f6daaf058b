package io.relaygate.accounts.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relaygate.accounts.StoreException;
import io.relaygate.core.Ids;
import io.relaygate.core.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialCipherTest {

    @TempDir
    Path dataDir;

    private final CredentialCipher cipher = new CredentialCipher(Ids.randomBytes(32));

    @Test
    void sealedValuesRoundTripAndNeverRepeat() {
        String a = cipher.encrypt("sk-secret-value");
        String b = cipher.encrypt("sk-secret-value");

        assertThat(a).startsWith("v1:").doesNotContain("secret");
        assertThat(a).as("a fresh nonce per value").isNotEqualTo(b);
        assertThat(Base64.getDecoder().decode(a.substring(3)))
                .as("12-byte nonce + ciphertext + 16-byte tag")
                .hasSize(12 + "sk-secret-value".length() + 16);
        assertThat(cipher.decrypt(a, "credential of account x")).isEqualTo("sk-secret-value");
        assertThat(cipher.decrypt(b, "credential of account x")).isEqualTo("sk-secret-value");
    }

    @Test
    void tamperedOrForeignValuesFailNamingTheOwner() {
        String sealed = cipher.encrypt("sk-secret-value");
        byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
        raw[raw.length - 1] ^= 1;
        String tampered = "v1:" + Base64.getEncoder().encodeToString(raw);

        assertThatThrownBy(() -> cipher.decrypt(tampered, "credential of account acme"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("account acme");
        assertThatThrownBy(() -> new CredentialCipher(Ids.randomBytes(32)).decrypt(sealed, "credential of account b"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("different key")
                .hasMessageNotContaining("sk-secret-value");
        assertThatThrownBy(() -> cipher.decrypt("plain", "credential of account c"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("unknown format");
    }

    @Test
    void theEnvironmentKeyWinsOverTheFileAndNoFileIsWritten() {
        String key = Base64.getEncoder().encodeToString(Ids.randomBytes(32));
        CredentialCipher fromEnv = CredentialCipher.load(dataDir, Map.of(CredentialCipher.KEY_ENV, key));
        CredentialCipher same = new CredentialCipher(Base64.getDecoder().decode(key));

        assertThat(same.decrypt(fromEnv.encrypt("v"), "x")).isEqualTo("v");
        assertThat(dataDir.resolve(CredentialCipher.KEY_FILE)).doesNotExist();
    }

    @Test
    void aMalformedEnvironmentKeyIsAConfigErrorThatDoesNotEchoIt() {
        assertThatThrownBy(() -> CredentialCipher.load(dataDir, Map.of(CredentialCipher.KEY_ENV, "not*base64!!")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("RELAYGATE_SECRET_KEY: not base64")
                .hasMessageNotContaining("not*base64!!");
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> CredentialCipher.load(dataDir, Map.of(CredentialCipher.KEY_ENV, shortKey)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("16 bytes (expected: 32");
    }

    @Test
    void theKeyFileIsGeneratedOnceThenReused() throws Exception {
        CredentialCipher first = CredentialCipher.load(dataDir, Map.of());
        String content = Files.readString(dataDir.resolve(CredentialCipher.KEY_FILE));
        CredentialCipher second = CredentialCipher.load(dataDir, Map.of());

        assertThat(second.decrypt(first.encrypt("v"), "x")).isEqualTo("v");
        assertThat(Files.readString(dataDir.resolve(CredentialCipher.KEY_FILE))).isEqualTo(content);
        assertThat(Base64.getDecoder().decode(content.trim())).hasSize(32);
    }
}
