package io.relaygate.codec.client;

import io.relaygate.codec.skim.RequestSkimmer;
import io.relaygate.codec.skim.SkimmedRequest;
import io.relaygate.core.ClientKind;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Identifies Claude Code and Codex CLI from what they really send (see testdata/clients). A client is
 * recognised only when two independent markers agree: its user agent (or Codex's {@code originator}) and its own
 * system prompt. Claude Code: {@code User-Agent: claude-cli/<version> (external, cli|sdk-cli)} and, in its system
 * blocks after the billing-header block, "You are Claude Code, Anthropic's official CLI for Claude." (interactive) or
 * "You are a Claude agent, built on Anthropic's Claude Agent SDK." ({@code claude -p}, subagents). Codex: a
 * {@code codex_exec/…}, {@code codex-tui/…} or {@code codex_vscode/…} user agent (with a {@code codex*}
 * {@code originator} when it sends one), and Codex's prompt in {@code instructions} or the first developer message of {@code input}. A user agent without the
 * prompt, or the prompt under another user agent, is a look-alike and counts as another client; requests without a
 * body (model lists) are judged by the user agent alone.
 *
 * <p>Headers and prompts can be forged by anyone holding a key, so the result is for accounting, adaptations and soft
 * key rules, not a security boundary.
 */
public final class ClientIdentifier {

    private static final String CLAUDE_UA = "claude-cli/";

    /** Claude Code's own prompts, each a sentence it puts in a system block of its own. */
    private static final List<String> CLAUDE_PROMPTS = List.of(
            "You are Claude Code, Anthropic's official CLI for Claude",
            "You are a Claude agent, built on Anthropic's Claude Agent SDK");

    /** Codex's prompts: the catalog models' ("You are Codex, …") and the fallback for unknown models. */
    private static final List<String> CODEX_PROMPTS =
            List.of("You are Codex, ", "You are a coding agent running in the Codex CLI");

    private ClientIdentifier() {}

    /**
     * @param header the request's header values by name (case-insensitive lookup), null when absent
     * @param skim the skimmed body
     * @param hasBody whether the route takes a body; without one the prompt cannot be checked
     */
    public static ClientIdentity identify(
            Function<String, @Nullable String> header, SkimmedRequest skim, boolean hasBody) {
        String ua = header.apply("user-agent");
        String uaLower = ua == null ? "" : ua.toLowerCase(Locale.ROOT);
        String system = skim.firstSystemText();

        String claudeSession = header.apply("x-claude-code-session-id");
        if (claudeSession == null && skim.metadataUserId() != null) {
            claudeSession = RequestSkimmer.sessionIdFromMetadataUserId(skim.metadataUserId());
        }
        String claudePrompt = found(system, CLAUDE_PROMPTS);
        if (uaLower.startsWith(CLAUDE_UA)) {
            if (claudePrompt != null || !hasBody) {
                String evidence = "user-agent " + firstWord(ua) + (claudePrompt == null ? "" : " + Claude Code prompt");
                return new ClientIdentity(ClientKind.CLAUDE_CODE, evidence, version(ua), claudeSession);
            }
            return other("claude-cli user-agent without Claude Code's system prompt", claudeSession);
        }

        String codexSession = header.apply("session-id");
        if (codexSession == null) {
            codexSession = skim.promptCacheKey();
        }
        String originator = header.apply("originator");
        boolean codexUa = uaLower.startsWith("codex_") || uaLower.startsWith("codex-");
        String codexPrompt = startsWithAny(system, CODEX_PROMPTS);
        if (codexUa) {
            String claim = "user-agent " + firstWord(ua);
            if (originator != null && !originator.toLowerCase(Locale.ROOT).startsWith("codex")) {
                return other(claim + " with originator " + originator, codexSession);
            }
            if (codexPrompt != null || !hasBody) {
                String evidence = claim + (codexPrompt == null ? "" : " + Codex prompt");
                return new ClientIdentity(ClientKind.CODEX, evidence, version(ua), codexSession);
            }
            return other(claim + " without Codex's system prompt", codexSession);
        }

        if (claudePrompt != null) {
            return other("Claude Code prompt under " + describe(ua), claudeSession);
        }
        if (codexPrompt != null) {
            return other("Codex prompt under " + describe(ua), codexSession);
        }
        // Not a recognised client, but a session id it sent still keeps its conversation on one account.
        return other(describe(ua), claudeSession != null ? claudeSession : codexSession);
    }

    private static ClientIdentity other(String evidence, @Nullable String session) {
        return new ClientIdentity(ClientKind.OTHER, evidence, null, session);
    }

    private static String describe(@Nullable String ua) {
        return ua == null ? "no user-agent" : "user-agent " + firstWord(ua);
    }

    private static @Nullable String found(@Nullable String text, List<String> needles) {
        if (text != null) {
            for (String n : needles) {
                if (text.contains(n)) {
                    return n;
                }
            }
        }
        return null;
    }

    private static @Nullable String startsWithAny(@Nullable String text, List<String> prefixes) {
        if (text != null) {
            String t = text.stripLeading();
            for (String p : prefixes) {
                if (t.startsWith(p)) {
                    return p;
                }
            }
        }
        return null;
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
