package io.relaygate.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One case of a corpus file ({@code src/test/resources/bad-input/*.cases}, {@code src/test/resources/hostile-upstream/…}):
 * a line {@code name<TAB>expected<TAB>mode<TAB>request}. The request is text with escapes for the bytes text cannot
 * hold ({@code \r \n \t \\ \xHH}) and placeholders: {@code ${KEY}} the harness's gateway key, {@code ${LEN}} the
 * length of the body that follows the head, {@code ${REP:n:text}} text n times ({@code text} without a closing
 * brace), {@code ${OPEN:n}} / {@code ${CLOSE:n}} n brackets, {@code ${OPENO:n}} / {@code ${CLOSEO:n}} n nested
 * objects, {@code ${NEXT}} the start of the next pipelined request, {@code ${CUT:n}} (first) send only n bytes.
 *
 * @param file the corpus file, for the report
 * @param name the case's name
 * @param expected {@code <status> <error type>}, {@code <status>}, {@code closed} (an error status or none, then the
 *     connection closes), {@code none} (no answer is awaited), {@code any}; pipelined cases list one per request,
 *     separated by {@code ;}
 * @param mode {@code send}, {@code stall}, {@code pipelined}, {@code hangup}, {@code hangup-after-first-byte},
 *     {@code half-close}, {@code drip} (slowloris: every byte one second after the last), {@code drip-body} (the head at
 *     once, then the body a byte a second)
 * @param request the request as written in the file
 */
record CorpusCase(String file, String name, String expected, String mode, String request) {

    private static final String LEN = "@@LEN@@";

    static List<CorpusCase> load(Path dir) {
        List<CorpusCase> cases = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (line.isBlank() || line.startsWith("#")) {
                        continue;
                    }
                    String[] parts = line.split("\t", 4);
                    if (parts.length != 4) {
                        throw new IllegalArgumentException(f.getFileName() + ": not 4 fields: " + line);
                    }
                    cases.add(new CorpusCase(f.getFileName().toString(), parts[0], parts[1], parts[2], parts[3]));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    /** Bytes to send, one entry per pipelined request, with {@code key} in place of {@code ${KEY}}. */
    List<byte[]> requests(String key) {
        String text = request.startsWith("${CUT:") ? request.substring(request.indexOf('}') + 1) : request;
        List<byte[]> out = new ArrayList<>();
        for (String part : text.split("\\$\\{NEXT}", -1)) {
            out.add(withLength(decode(part, key)));
        }
        return out;
    }

    /** How many bytes a {@code ${CUT:n}} case sends, else -1. */
    int cut() {
        return request.startsWith("${CUT:") ? Integer.parseInt(request.substring(6, request.indexOf('}'))) : -1;
    }

    /** Whether the route {@code request} (decoded) names answers in OpenAI's error shape. */
    static boolean openAiShape(byte[] request) {
        String head = new String(request, 0, Math.min(request.length, 200), StandardCharsets.ISO_8859_1);
        String line = head.split("\r?\n", 2)[0];
        return line.contains("/chat/completions") || line.contains("/responses");
    }

    static byte[] decode(String s, String key) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(i + 1);
                switch (n) {
                    case 'r' -> out.write('\r');
                    case 'n' -> out.write('\n');
                    case 't' -> out.write('\t');
                    case '\\' -> out.write('\\');
                    case 'x' -> {
                        out.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
                        i += 2;
                    }
                    default -> throw new IllegalArgumentException("unknown escape \\" + n);
                }
                i += 2;
            } else if (c == '$' && s.startsWith("${", i)) {
                int end = s.indexOf('}', i);
                out.writeBytes(placeholder(s.substring(i + 2, end), key));
                i = end + 1;
            } else {
                int cp = s.codePointAt(i);
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
            }
        }
        return out.toByteArray();
    }

    private static byte[] placeholder(String spec, String key) {
        String[] p = spec.split(":", 3);
        return switch (p[0]) {
            case "KEY" -> key.getBytes(StandardCharsets.UTF_8);
            case "LEN" -> LEN.getBytes(StandardCharsets.UTF_8);
            case "REP" -> repeat(decode(p[2], key), Integer.parseInt(p[1]));
            case "OPEN" -> repeat(new byte[] {'['}, Integer.parseInt(p[1]));
            case "CLOSE" -> repeat(new byte[] {']'}, Integer.parseInt(p[1]));
            case "OPENO" -> repeat("{\"a\":".getBytes(StandardCharsets.UTF_8), Integer.parseInt(p[1]));
            case "CLOSEO" -> repeat(new byte[] {'}'}, Integer.parseInt(p[1]));
            default -> throw new IllegalArgumentException("unknown placeholder ${" + spec + "}");
        };
    }

    private static byte[] repeat(byte[] unit, int n) {
        byte[] out = new byte[unit.length * n];
        for (int k = 0; k < n; k++) {
            System.arraycopy(unit, 0, out, k * unit.length, unit.length);
        }
        return out;
    }

    /** Replaces the {@code ${LEN}} marker with the length of what follows the head's blank line. */
    private static byte[] withLength(byte[] raw) {
        String latin = new String(raw, StandardCharsets.ISO_8859_1);
        int marker = latin.indexOf(LEN);
        if (marker < 0) {
            return raw;
        }
        int crlf = latin.indexOf("\r\n\r\n");
        int lf = latin.indexOf("\n\n");
        int bodyStart = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf + 2;
        int bodyLength = raw.length - bodyStart;
        String replaced = latin.substring(0, marker) + bodyLength + latin.substring(marker + LEN.length());
        return replaced.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
        return file + ":" + name;
    }
}
