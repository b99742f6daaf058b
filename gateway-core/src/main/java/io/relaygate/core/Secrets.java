package io.relaygate.core;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks anything that looks like a secret before it can reach a log line or an error message: gateway keys
 * ({@code rg_…}), Anthropic and OpenAI keys, OAuth access and refresh tokens ({@code sk-…}, including
 * {@code sk-ant-oat…}/{@code sk-ant-ort…}), bearer tokens, JWTs (ChatGPT/Codex access and id tokens), the values of
 * JSON or form fields that carry credentials ({@code access_token}, {@code refresh_token}, {@code id_token},
 * {@code client_secret}, {@code code_verifier}, {@code password}, {@code api_key}, {@code x-api-key}), credential
 * query parameters, and credentials inside URLs.
 */
public final class Secrets {

    private static final Pattern KEY_LIKE = Pattern.compile("(?i)(rg_[A-Za-z0-9]{4})[A-Za-z0-9_\\-]{4,}"
            + "|(sk-[A-Za-z0-9]{2})[A-Za-z0-9_\\-]{6,}"
            + "|(bearer\\s+)[A-Za-z0-9._~+/=\\-]{6,}"
            + "|(eyJ)[A-Za-z0-9_\\-]{4,}\\.[A-Za-z0-9_\\-]{4,}\\.[A-Za-z0-9_\\-]*"
            + "|((?:x-api-key|api[_-]?key|access[_-]?token|refresh[_-]?token|id[_-]?token|client[_-]?secret"
            + "|code[_-]?verifier|password)[\"']?\\s*[:=]\\s*[\"']?)[^\\s\"',}&]{4,}"
            + "|([?&](?:token|key|code|access_token)=)[^&\\s\"']{4,}"
            + "|(://)[^/@\\s:]+:[^/@\\s]+@");

    private Secrets() {}

    /** Returns {@code text} with every secret-looking part masked. */
    public static String redact(String text) {
        Matcher m = KEY_LIKE.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length());
        int last = 0;
        do {
            sb.append(text, last, m.start());
            String keep = null;
            for (int g = 1; g <= m.groupCount(); g++) {
                if (m.group(g) != null) {
                    keep = m.group(g);
                    break;
                }
            }
            if ("://".equals(keep)) {
                sb.append("://***@");
            } else {
                sb.append(keep).append("***");
            }
            last = m.end();
        } while (m.find());
        sb.append(text, last, text.length());
        return sb.toString();
    }

    /** Shows only the first four characters of a secret, e.g. {@code sk-a***}. */
    public static String mask(String secret) {
        return secret.length() <= 4 ? "***" : secret.substring(0, 4) + "***";
    }

    /** A URL with any {@code user:password@} part masked. */
    public static String redactUrl(String url) {
        return url.replaceAll("://[^/@\\s]+@", "://***@");
    }
}
