package io.relaygate.codec.client;

import io.relaygate.codec.skim.RequestSkimmer;
import io.relaygate.codec.skim.SkimmedRequest;
import io.relaygate.core.ClientKind;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Identifies Claude Code and Codex CLI from what they really send (see shared/fixtures/clients): Claude Code's
 * {@code User-Agent: claude-cli/<version> (external, cli|sdk-cli)}, its {@code X-Claude-Code-Session-Id} header and
 * the billing-header system block; Codex's {@code User-Agent: codex_exec/…} or {@code codex-tui/…}, its
 * {@code originator} header and its developer prompt. Headers can be forged by anyone holding a key, so the result is
 * for accounting, adaptations and soft key rules, not a security boundary.
 */
public final class ClientIdentifier {

    private static final String CLAUDE_UA = "claude-cli/";
    private static final String BILLING_BLOCK = "x-anthropic-billing-header: cc_version=";

    private ClientIdentifier() {}

    /**
     * @param header the request's header values by name (case-insensitive lookup), null when absent
     * @param skim the skimmed body
     */
    public static ClientIdentity identify(Function<String, @Nullable String> header, SkimmedRequest skim) {
        String ua = header.apply("user-agent");
        String uaLower = ua == null ? "" : ua.toLowerCase(Locale.ROOT);
        String claudeSession = header.apply("x-claude-code-session-id");
        if (claudeSession == null && skim.metadataUserId() != null) {
            claudeSession = RequestSkimmer.sessionIdFromMetadataUserId(skim.metadataUserId());
        }
        if (uaLower.startsWith(CLAUDE_UA)) {
            return new ClientIdentity(
                    ClientKind.CLAUDE_CODE, "user-agent " + firstWord(ua), version(ua), claudeSession);
        }
        if (header.apply("x-claude-code-session-id") != null) {
            return new ClientIdentity(ClientKind.CLAUDE_CODE, "x-claude-code-session-id header", null, claudeSession);
        }
        String system = skim.firstSystemText();
        if (system != null && system.startsWith(BILLING_BLOCK)) {
            return new ClientIdentity(ClientKind.CLAUDE_CODE, "billing-header system block", null, claudeSession);
        }

        String codexSession = header.apply("session-id");
        if (codexSession == null) {
            codexSession = skim.promptCacheKey();
        }
        if (uaLower.startsWith("codex_") || uaLower.startsWith("codex-")) {
            return new ClientIdentity(ClientKind.CODEX, "user-agent " + firstWord(ua), version(ua), codexSession);
        }
        String originator = header.apply("originator");
        if (originator != null && originator.toLowerCase(Locale.ROOT).startsWith("codex")) {
            return new ClientIdentity(ClientKind.CODEX, "originator " + originator, null, codexSession);
        }
        if (system != null && (system.startsWith("You are Codex") || system.contains("running in the Codex CLI"))) {
            return new ClientIdentity(ClientKind.CODEX, "Codex developer prompt", null, codexSession);
        }
        return new ClientIdentity(
                ClientKind.OTHER, ua == null ? "no user-agent" : "user-agent " + firstWord(ua), null, null);
    }

    private static String firstWord(@Nullable String ua) {
        if (ua == null) {
            return "";
        }
        int sp = ua.indexOf(' ');
        String w = sp < 0 ? ua : ua.substring(0, sp);
        return w.length() > 64 ? w.substring(0, 64) : w;
    }

    /** {@code 2.1.330} from {@code claude-cli/2.1.330 (external, cli)} or {@code codex_exec/0.169.0 (…)}. */
    private static @Nullable String version(@Nullable String ua) {
        String w = firstWord(ua);
        int slash = w.indexOf('/');
        return slash < 0 || slash == w.length() - 1 ? null : w.substring(slash + 1);
    }
}
