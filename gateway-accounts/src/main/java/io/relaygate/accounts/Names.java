package io.relaygate.accounts;

import java.util.regex.Pattern;

/** The shape of key and account names: short, printable, safe in a command line, a log line and a Redis hash. */
public final class Names {

    /** Longest name accepted. */
    public static final int MAX_LENGTH = 64;

    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0," + (MAX_LENGTH - 1) + "}");

    private Names() {}

    /**
     * Returns {@code name} if valid.
     *
     * @param setting what the name is for in messages, e.g. {@code name} or {@code group}
     * @throws IllegalArgumentException naming the setting and the expected shape
     */
    public static String check(String setting, String name) {
        if (!VALID.matcher(name).matches()) {
            throw new IllegalArgumentException(setting + ": " + (name.isEmpty() ? "empty" : name)
                    + " (expected: 1-" + MAX_LENGTH + " letters, digits, '.', '_', '@' or '-', starting with a"
                    + " letter or digit)");
        }
        return name;
    }
}
