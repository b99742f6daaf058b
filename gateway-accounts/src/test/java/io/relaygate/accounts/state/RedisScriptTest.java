package io.relaygate.accounts.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The EVALSHA arguments RedisScript builds itself go on the wire exactly as Lettuce's own would. */
class RedisScriptTest {

    private static final String SHA = Sha1.hex("return 1");

    @Test
    void theArgumentsAreTheBytesLettucesOwnEvalshaWrites() {
        String[] keys = {"rg:{k:abc}:lease", "rg:{k:abc}:u:DAY:20261207", "rg:{k:abc}:s:é"};
        String[] values = {
            "1765100000000", "", "0", "-1", "a \"quoted\" model ⟨名前⟩", "emoji 😀 in a record", "plain ascii"
        };
        assertThat(wire(RedisScript.evalshaArgs(SHA, keys, values))).isEqualTo(wire(lettuces(keys, values)));
    }

    @Test
    void theFirstKeyStaysTheKeyAClusterRoutesBy() {
        String[] keys = {"rg:{k:abc}:lease", "rg:{k:abc}:rw:1"};
        ByteBuffer first =
                RedisScript.evalshaArgs(SHA, keys, new String[] {"1"}).getFirstEncodedKey();
        assertThat(first).isNotNull();
        assertThat(StandardCharsets.UTF_8.decode(first).toString()).isEqualTo("rg:{k:abc}:lease");
    }

    @Test
    void aScriptWithoutKeysHasNone() {
        CommandArgs<String, String> args = RedisScript.evalshaArgs(SHA, new String[0], new String[] {"x"});
        assertThat(args.getFirstEncodedKey()).isNull();
        assertThat(wire(args)).isEqualTo(wire(lettuces(new String[0], new String[] {"x"})));
    }

    private static CommandArgs<String, String> lettuces(String[] keys, String[] values) {
        return new CommandArgs<>(StringCodec.UTF8)
                .add(SHA)
                .add(keys.length)
                .addKeys(keys)
                .addValues(values);
    }

    private static String wire(CommandArgs<String, String> args) {
        ByteBuf buf = Unpooled.buffer();
        try {
            args.encode(buf);
            return buf.toString(StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }
}
