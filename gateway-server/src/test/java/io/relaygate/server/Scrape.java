package io.relaygate.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A Prometheus text exposition parsed for assertions: series by name with their labels and values. */
final class Scrape {

    private record Series(String name, Map<String, String> labels, double value) {}

    private final List<Series> series = new ArrayList<>();

    Scrape(String text) {
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
            Map<String, String> labels = new HashMap<>();
            if (brace >= 0 && brace < space) {
                String inner = line.substring(brace + 1, line.lastIndexOf('}'));
                for (String pair : inner.split(",(?=[a-zA-Z_]+=\")")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
                    }
                }
            }
            series.add(new Series(name, labels, Double.parseDouble(line.substring(space + 1))));
        }
    }

    /** The sum of every series named {@code name} whose labels include {@code labels} (pairs); 0 when none. */
    double sum(String name, String... labels) {
        double total = 0;
        for (Series s : series) {
            if (s.name.equals(name) && matches(s, labels)) {
                total += s.value;
            }
        }
        return total;
    }

    /** Whether any series named {@code name} has the labels given. */
    boolean has(String name, String... labels) {
        return series.stream().anyMatch(s -> s.name.equals(name) && matches(s, labels));
    }

    Set<String> names() {
        Set<String> names = new TreeSet<>();
        series.forEach(s -> names.add(s.name));
        return names;
    }

    private static boolean matches(Series s, String... labels) {
        for (int i = 0; i < labels.length; i += 2) {
            if (!labels[i + 1].equals(s.labels.get(labels[i]))) {
                return false;
            }
        }
        return true;
    }
}
