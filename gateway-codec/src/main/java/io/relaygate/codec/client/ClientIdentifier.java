package io.relaygate.codec.client;

import io.relaygate.codec.skim.RequestSkimmer;
import io.relaygate.codec.skim.SkimmedRequest;
import io.relaygate.core.ClientKind;
import io.relaygate.core.signatures.ClientSignatures;
import io.relaygate.core.signatures.Signature;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Identifies Claude Code and Codex CLI from what they really send (see testdata/clients), by the marks in {@link
 * ClientSignatures} (shipped data an operator can update; the defaults are described here). A client is
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

    private ClientIdentifier() {}

    /** {@link #identify(Function, SkimmedRequest, boolean, ClientSignatures)} with the shipped signatures. */
    public static ClientIdentity identify(
            Function<String, @Nullable String> header, SkimmedRequest skim, boolean hasBody) {
        return identify(header, skim, hasBody, ClientSignatures.shipped());
    }

    /**
     * @param header the request's header values by name (case-insensitive lookup), null when absent
     * @param skim the skimmed body
     * @param hasBody whether the route takes a body; without one the prompt cannot be checked
     * @param signatures the user agents, originators and prompts that identify each client (the evidence names the
     *     prompt signature that matched)
     */
    public static ClientIdentity identify(
            Function<String, @Nullable String> header,
            SkimmedRequest skim,
            boolean hasBody,
            ClientSignatures signatures) {
        Signature claude = signatures.claudeCode();
        Signature codex = signatures.codex();
        String ua = header.apply("user-agent");
        String uaLower = ua == null ? "" : ua.toLowerCase(Locale.ROOT);
        String system = skim.firstSystemText();

        String claudeSession = header.apply("x-claude-code-session-id");
        if (claudeSession == null && skim.metadataUserId() != null) {
            claudeSession = RequestSkimmer.sessionIdFromMetadataUserId(skim.metadataUserId());
        }
        String claudePrompt = found(system, claude.prompts());
        if (startsWithAny(uaLower, claude.userAgentPrefixes())) {
            if (claudePrompt != null || !hasBody) {
                String evidence = "user-agent " + firstWord(ua)
                        + (claudePrompt == null ? "" : " + Claude Code prompt [" + claudePrompt + "]");
                return new ClientIdentity(ClientKind.CLAUDE_CODE, evidence, version(ua), claudeSession);
            }
            return other("claude-cli user-agent without Claude Code's system prompt", claudeSession);
        }

        String codexSession = header.apply("session-id");
        if (codexSession == null) {
            codexSession = skim.promptCacheKey();
        }
        String originator = header.apply("originator");
        String codexPrompt = startingWith(system, codex.prompts());
        if (startsWithAny(uaLower, codex.userAgentPrefixes())) {
            String claim = "user-agent " + firstWord(ua);
            if (originator != null
                    && !codex.originatorPrefixes().isEmpty()
                    && !startsWithAny(originator.toLowerCase(Locale.ROOT), codex.originatorPrefixes())) {
                return other(claim + " with originator " + firstWord(originator), codexSession);
            }
            if (codexPrompt != null || !hasBody) {
                String evidence = claim + (codexPrompt == null ? "" : " + Codex prompt [" + codexPrompt + "]");
                return new ClientIdentity(ClientKind.CODEX, evidence, version(ua), codexSession);
            }
            return other(claim + " without Codex's system prompt", codexSession);
        }

        if (claudePrompt != null) {
            return other("Claude Code prompt [" + claudePrompt + "] under " + describe(ua), claudeSession);
        }
        if (codexPrompt != null) {
            return other("Codex prompt [" + codexPrompt + "] under " + describe(ua), codexSession);
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

    /** The name of the first prompt {@code text} contains, or null. */
    private static @Nullable String found(@Nullable String text, Map<String, String> prompts) {
        if (text != null) {
            for (Map.Entry<String, String> p : prompts.entrySet()) {
                if (text.contains(p.getValue())) {
                    return p.getKey();
                }
            }
        }
        return null;
    }

    /** The name of the first prompt {@code text} starts with (leading white space aside), or null. */
    private static @Nullable String startingWith(@Nullable String text, Map<String, String> prompts) {
        if (text != null) {
            String t = text.stripLeading();
            for (Map.Entry<String, String> p : prompts.entrySet()) {
                if (t.startsWith(p.getValue())) {
                    return p.getKey();
                }
            }
        }
        return null;
    }

    private static boolean startsWithAny(String lower, List<String> prefixes) {
        for (String p : prefixes) {
            if (lower.startsWith(p)) {
                return true;
            }
        }
        return false;
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
