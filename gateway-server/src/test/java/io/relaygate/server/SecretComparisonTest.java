package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every place a presented secret is compared with the expected one compares in constant time: a comparison that stops
 * at the first differing byte tells an attacker, by its timing, how much of a guess was right. Checked on the main
 * sources of every module: secret-named values are never compared with {@code equals} or {@code ==}, and the sites
 * that check a presented secret use {@link java.security.MessageDigest#isEqual}.
 */
class SecretComparisonTest {

    /** A value whose name says it is a secret, compared with equals, contentEquals, compareTo or ==. */
    private static final String SECRET_NAME =
            "\\w*(secret|password|passwd|pepper|verifier|apikey|admintoken|accesstoken|refreshtoken|credential)\\w*";

    /** A secret-named value compared (equals, contentEquals, compareTo, == or !=) with anything but null. */
    private static final Pattern SECRET_COMPARED = Pattern.compile("(?i)(\\b" + SECRET_NAME
            + "(\\(\\))?\\s*(\\.equals\\(|\\.contentEquals\\(|\\.compareTo\\(|==|!=)\\s*(?!null\\b))"
            + "|((\\.equals|\\.contentEquals)\\(\\s*" + SECRET_NAME + ")");

    /**
     * Comparisons of secret-named values that do not check a presented secret, each with why. Keep it short: a new
     * entry needs a reason a reviewer accepts.
     */
    private static final Map<String, String> NOT_A_CHECK = Map.of(
            "ApiKeyService.java:!current.secretHash().equals(key.secretHash())",
            "whether a stored hash changed meanwhile: two stored values, nothing a client presented",
            "OAuthRefresher.java:!t.accessToken().equals(refusedAccess)",
            "whether another instance refreshed the token the upstream refused: two of our own stored tokens, nothing"
                    + " a client presented");

    private static final List<String> CHECK_SITES = List.of(
            "gateway-accounts/src/main/java/io/relaygate/accounts/KeyHasher.java",
            "gateway-server/src/main/java/io/relaygate/server/admin/AdminApi.java",
            "gateway-server/src/main/java/io/relaygate/server/pipeline/OpsEndpoints.java");

    private static Path root() {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("gateway-core")) ? here : here.getParent();
    }

    private static List<Path> mainSources() {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root())) {
            for (Path module : modules.filter(p -> p.getFileName().toString().startsWith("gateway-"))
                    .toList()) {
                Path src = module.resolve("src/main/java");
                if (Files.isDirectory(src)) {
                    try (Stream<Path> files = Files.walk(src)) {
                        files.filter(f -> f.toString().endsWith(".java")).forEach(out::add);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Test
    void noSecretIsComparedWithEquals() throws IOException {
        List<Path> sources = mainSources();
        assertThat(sources).as("the main sources were found").hasSizeGreaterThan(100);
        List<String> found = new ArrayList<>();
        for (Path f : sources) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                // a check for absence compares nothing secret
                String line = lines.get(i).trim().replaceAll("[!=]=\\s*null\\b", "");
                if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
                    continue;
                }
                String file = f.getFileName().toString();
                if (SECRET_COMPARED.matcher(line).find()
                        && NOT_A_CHECK.keySet().stream()
                                .noneMatch(k ->
                                        k.startsWith(file + ":") && line.contains(k.substring(file.length() + 1)))) {
                    found.add(root().relativize(f) + ":" + (i + 1) + ": " + line);
                }
            }
        }
        assertThat(found)
                .as("secret-named values compared with equals/==: use MessageDigest.isEqual on the bytes")
                .isEmpty();
    }

    @Test
    void theSitesThatCheckAPresentedSecretCompareInConstantTime() throws IOException {
        for (String site : CHECK_SITES) {
            String source = Files.readString(root().resolve(site), StandardCharsets.UTF_8);
            assertThat(source).as(site).contains("MessageDigest.isEqual(");
            assertThat(source).as(site).doesNotContain("Arrays.equals(");
        }
    }
}
