package io.relaygate.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SessionHashTest {

    @Test
    void theHashIsSha256OfTheJoinedTextsSoStickySessionsSurviveAnUpgrade() {
        // Values from hashlib.sha256("c\0" + system + "\0" + user), first 16 bytes: the form before the digest was
        // fed in parts. A change here moves every conversation to a new account once.
        assertThat(SessionHash.of(null, "You are Claude Code", "héllo 👋"))
                .as("system and first user text")
                .isEqualTo("e96fe7a711ed6d7ae0d5c3a7519dc8b9");
        assertThat(SessionHash.of("a3f0c2d4-1b2c-4d5e-8f90-123456789abc", "ignored", "ignored"))
                .as("the client's session id wins")
                .isEqualTo("229f248b9b115551ca3c7af2667f1c42");
        assertThat(SessionHash.of(" ", "x-anthropic-billing-header: cc_version=2.1", "only the user"))
                .as("a blank session id and the billing block count as none")
                .isEqualTo("4cdcd7fb65d5fe40416603f4de839646");
    }

    @Test
    void aRequestWithNothingToTellItsSessionByHasNone() {
        assertThat(SessionHash.of(null, null, null)).isNull();
        assertThat(SessionHash.of(null, "x-anthropic-billing-header: cc_version=2.1", ""))
                .isNull();
    }

    @Test
    void theSameTextsOnAnotherThreadGiveTheSameHash() throws Exception {
        String here = SessionHash.of(null, "system", "user");
        String[] there = new String[1];
        Thread t = new Thread(() -> there[0] = SessionHash.of(null, "system", "user"));
        t.start();
        t.join();
        assertThat(there[0]).as("one digest per thread, each reset after use").isEqualTo(here);
        assertThat(SessionHash.of(null, "system", "user")).isEqualTo(here);
    }
}
