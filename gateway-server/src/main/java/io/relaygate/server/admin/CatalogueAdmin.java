package io.relaygate.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.accounts.Documents;
import io.relaygate.accounts.Store;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.catalogue.CatalogueReader;
import io.relaygate.core.catalogue.LongContext;
import io.relaygate.core.catalogue.ModelEntry;
import io.relaygate.core.catalogue.ModelPrice;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The operator's side of the model catalogue, shared by the CLI ({@code relaygate catalogue}) and the admin API
 * ({@code GET/PUT /admin/catalogue}): read what the store holds (else the shipped one), validate and store a new one
 * (every running gateway picks it up through the change channel), and the JSON and table views.
 */
public final class CatalogueAdmin {

    private static final OperatorDocument<Catalogue> DOCUMENT = new OperatorDocument<>(
            Documents.CATALOGUE,
            CatalogueReader::parse,
            CatalogueReader::canonical,
            Catalogue::shipped,
            (after, c) -> after.put("as_of", c.asOf()).put("models", c.entries().size()));

    private CatalogueAdmin() {}

    /** The catalogue the store holds, else the shipped one. */
    public static CompletionStage<Catalogue> current(Store store) {
        return DOCUMENT.current(store);
    }

    /**
     * Validates {@code text} (JSON or YAML) and stores it as the catalogue of every instance on {@code store}.
     *
     * @throws IllegalArgumentException naming the source and the bad key when it is not a valid catalogue
     */
    public static CompletionStage<Catalogue> update(Store store, String where, String text, String actor) {
        return DOCUMENT.update(store, where, text, actor);
    }

    /** {@code {"as_of", "origin", "tier_sizes", "fallback", "models": [...]}}. */
    public static ObjectNode json(Catalogue c) {
        ObjectNode n = Views.JSON.createObjectNode();
        n.put("as_of", c.asOf());
        n.put("origin", c.origin());
        ObjectNode sizes = n.putObject("tier_sizes");
        c.tierSizes().forEach(sizes::put);
        ModelPrice fb = c.fallback();
        if (fb == null) {
            n.put("fallback", "highest price of the vendor's models");
        } else {
            price(n.putObject("fallback"), fb);
        }
        ArrayNode models = n.putArray("models");
        for (ModelEntry e : c.entries()) {
            ObjectNode m = models.addObject();
            m.put("name", e.name());
            m.put("vendor", e.vendor());
            m.put("family", e.family());
            m.put("tier", e.tier());
            price(m, e.price());
            m.put("context_window", e.contextWindow());
            m.put("max_output", e.maxOutput());
            LongContext lc = e.longContext();
            if (lc != null) {
                ObjectNode l = m.putObject("long_context");
                l.put("above_input_tokens", lc.aboveInputTokens());
                price(l, lc.price());
            }
        }
        return n;
    }

    /** The table {@code relaygate catalogue list} prints, optionally only models whose name contains {@code match}. */
    public static String table(Catalogue c, @Nullable String match) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of(
                "MODEL",
                "VENDOR",
                "TIER",
                "INPUT",
                "OUTPUT",
                "CACHE W 5M",
                "CACHE W 1H",
                "CACHE READ",
                "CONTEXT",
                "MAX OUT"));
        for (ModelEntry e : c.entries()) {
            if (match != null && !e.name().contains(match.toLowerCase(Locale.ROOT))) {
                continue;
            }
            ModelPrice p = e.price();
            rows.add(List.of(
                    e.name() + (e.longContext() == null ? "" : " *"),
                    e.vendor(),
                    e.tier().isEmpty() ? "-" : e.tier() + "/" + c.tierSizes().getOrDefault(e.tier(), "-"),
                    usd(p.inputPerMTok()),
                    usd(p.outputPerMTok()),
                    usd(p.cacheWritePerMTok()),
                    usd(p.cacheWrite1hPerMTok()),
                    usd(p.cacheReadPerMTok()),
                    Long.toString(e.contextWindow()),
                    Long.toString(e.maxOutput())));
        }
        return "Catalogue as of " + c.asOf() + " (" + c.origin() + "), "
                + c.entries().size() + " models, USD per million tokens (* has a long-context tariff):\n"
                + Views.table(rows);
    }

    private static String usd(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static void price(ObjectNode n, ModelPrice p) {
        n.put("input", p.inputPerMTok());
        n.put("output", p.outputPerMTok());
        n.put("cache_write_5m", p.cacheWritePerMTok());
        n.put("cache_write_1h", p.cacheWrite1hPerMTok());
        n.put("cache_read", p.cacheReadPerMTok());
    }
}
