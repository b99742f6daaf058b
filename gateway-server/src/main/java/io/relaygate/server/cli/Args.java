package io.relaygate.server.cli;

import io.relaygate.server.admin.UsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The options and positional arguments of one subcommand, parsed by hand against the options it accepts:
 * {@code --name value}, {@code --name=value}, flags such as {@code --json}, and {@code -h} for {@code --help}. Order is
 * kept because {@code --window} belongs to the {@code --requests} or {@code --tokens} before it. Error messages never
 * echo a value of {@link #SECRET_OPTIONS}.
 */
final class Args {

    /** Flags every subcommand accepts. */
    static final Set<String> COMMON_FLAGS = Set.of("help", "json");

    private static final Set<String> SECRET_OPTIONS = Set.of("api-key", "header");

    record Option(String name, @Nullable String value) {}

    private final List<Option> options;
    private final List<String> positionals;

    private Args(List<Option> options, List<String> positionals) {
        this.options = List.copyOf(options);
        this.positionals = List.copyOf(positionals);
    }

    /**
     * @param valued options that take a value
     * @param flags options without a value (besides {@link #COMMON_FLAGS})
     * @throws UsageException naming an unknown option or a missing value
     */
    static Args parse(List<String> tokens, Set<String> valued, Set<String> flags) {
        List<Option> options = new ArrayList<>();
        List<String> positionals = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (token.equals("-h")) {
                options.add(new Option("help", null));
                continue;
            }
            if (!token.startsWith("--") || token.length() == 2) {
                if (token.startsWith("-") && token.length() > 1) {
                    throw new UsageException("unknown option " + token);
                }
                positionals.add(token);
                continue;
            }
            int eq = token.indexOf('=');
            String name = token.substring(2, eq < 0 ? token.length() : eq);
            if (COMMON_FLAGS.contains(name) || flags.contains(name)) {
                if (eq >= 0) {
                    throw new UsageException("--" + name + ": takes no value");
                }
                options.add(new Option(name, null));
            } else if (valued.contains(name)) {
                String value;
                if (eq >= 0) {
                    value = token.substring(eq + 1);
                } else if (i + 1 < tokens.size() && !tokens.get(i + 1).startsWith("--")) {
                    value = tokens.get(++i);
                } else {
                    throw new UsageException("--" + name + ": missing value");
                }
                if (value.isBlank()) {
                    throw new UsageException("--" + name + ": empty value");
                }
                options.add(new Option(name, value));
            } else {
                throw new UsageException("unknown option --" + name);
            }
        }
        return new Args(options, positionals);
    }

    static Args parse(String[] tokens, Set<String> valued, Set<String> flags) {
        return parse(Arrays.asList(tokens), valued, flags);
    }

    boolean flag(String name) {
        return options.stream().anyMatch(o -> o.name().equals(name));
    }

    List<Option> ordered() {
        return options;
    }

    List<String> positionals() {
        return positionals;
    }

    /** Every value of an option that may be given several times ({@code --header}), in order. */
    List<String> values(String name) {
        List<String> out = new ArrayList<>();
        for (Option o : options) {
            if (o.name().equals(name) && o.value() != null) {
                out.add(o.value());
            }
        }
        return out;
    }

    /** The value of an option given at most once, else {@code null}. */
    @Nullable
    String value(String name) {
        String found = null;
        for (Option o : options) {
            if (o.name().equals(name)) {
                if (found != null) {
                    throw new UsageException("--" + name + ": given more than once");
                }
                found = o.value();
            }
        }
        return found;
    }

    String required(String name) {
        String v = value(name);
        if (v == null) {
            throw new UsageException("--" + name + ": required");
        }
        return v;
    }

    /** Parses an option's value; a parse failure becomes a usage error naming the option. */
    <T> @Nullable T value(String name, Function<String, T> parser, String expected) {
        String v = value(name);
        return v == null ? null : convert(name, v, parser, expected);
    }

    static <T> T convert(String name, String value, Function<String, T> parser, String expected) {
        try {
            return parser.apply(value.trim());
        } catch (RuntimeException e) {
            String shown = SECRET_OPTIONS.contains(name) ? "(hidden)" : value;
            throw new UsageException("--" + name + ": " + shown + " (expected: " + expected + ")");
        }
    }

    /** A comma-separated list, blanks dropped; empty when the option is absent. */
    List<String> list(String name) {
        String v = value(name);
        if (v == null) {
            return List.of();
        }
        return Arrays.stream(v.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** {@code k=v,k=v}; empty when the option is absent. */
    Map<String, String> map(String name) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String pair : list(name)) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new UsageException(
                        "--" + name + ": " + pair + " (expected: name=model pairs, e.g. haiku=x,opus=y)");
            }
            out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return Map.copyOf(out);
    }

    /** The {@code --config} file, checked to exist so a typo is a usage error rather than a config error. */
    @Nullable
    Path configFile() {
        String v = value("config");
        if (v == null) {
            return null;
        }
        Path p = Path.of(v);
        if (!Files.isRegularFile(p)) {
            throw new UsageException("--config: " + v + " (expected: an existing YAML file)");
        }
        return p;
    }

    /**
     * Runs a domain constructor whose {@link IllegalArgumentException} message already names the setting (e.g.
     * {@code concurrency: 0 (expected: > 0)}), turning it into a usage error.
     */
    static <T> T validated(Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(String.valueOf(e.getMessage()));
        }
    }
}
