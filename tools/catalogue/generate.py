#!/usr/bin/env python3
"""Generates Relaygate's shipped model catalogue (gateway-core/src/main/resources/io/relaygate/core/catalogue/
catalogue.json) from public sources.

Sources it reads:
  1. The vendors' own price and model pages, transcribed into the saved input (input/vendor-pages-<date>.json; each
     vendor block names its pages): Anthropic's pricing page (platform.claude.com/docs/en/about-claude/pricing) and
     model overviews, OpenAI's pricing page (developers.openai.com/api/docs/pricing) and per-model pages, DeepSeek,
     Moonshot, Z.ai, Alibaba Model Studio and Together price lists. `--input URL` reads an input of the same shape from
     a URL the operator chooses (e.g. a team's own copy).
  2. Optionally a public catalogue in LiteLLM's model_prices_and_context_window.json shape (`--public FILE|URL`,
     e.g. https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json): it fills a
     context window or max output the vendor rows leave at 0, and every price that disagrees with the vendor row is
     printed to stderr for a human to check (the vendor page wins). The price table inside the Claude Code npm package
     (@anthropic-ai/claude-code, its cost display) is a cross-check of the same kind: save it in that shape and pass it
     with --public.

Works offline: with no arguments it reads only the saved input next to this script, so `python3 generate.py` on a
machine without internet reproduces the shipped file byte for byte.

The input's "cloud" block adds each Anthropic model's id on Amazon Bedrock ("bedrock") and Google Vertex AI
("vertex") to its entry, and the anthropic-beta flags both platforms accept as "cloud_betas" (from the platforms' own
model pages, named in the block).

Rules it applies: family is the name's first part (o1/o3/o4 models: "o"); tier is the first part of the name that is a
known tier of its family; a missing cache write price is the input price (no cache-write charge), a missing one-hour
price the five-minute one; long-context tariffs multiply input and cache prices by `multiplier` and output by
`output_multiplier` above `above_input_tokens`; models are written in the input's order, newest first within a tier,
which is the order the gateway's "same family and tier" estimate relies on.
"""
import argparse
import json
import os
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_INPUT = os.path.join(HERE, "input", "vendor-pages-2026-12-06.json")
DEFAULT_OUTPUT = os.path.join(HERE, "..", "..", "gateway-core", "src", "main", "resources", "io", "relaygate",
                              "core", "catalogue", "catalogue.json")

TIERS = {
    "claude": ["haiku", "sonnet", "opus", "fable"],
    "gpt": ["luna", "terra", "sol", "mini", "nano", "pro"],
    "o": ["mini", "pro"],
}
# Sizes for the model-map convention (small/middle/big entries of OpenAI-compatible accounts). Fable sits above Opus
# in Anthropic's lineup (dearer, slower, "most capable"), so it maps to the biggest model like Opus does.
TIER_SIZES = {"haiku": "small", "sonnet": "middle", "opus": "big", "fable": "big",
              "luna": "small", "terra": "middle", "sol": "big"}


def load(source):
    if source.startswith("http://") or source.startswith("https://"):
        with urllib.request.urlopen(source, timeout=30) as r:
            return json.loads(r.read().decode("utf-8"))
    with open(source, encoding="utf-8") as f:
        return json.load(f)


def family_of(name):
    first = name.split("-")[0]
    if first[:1] == "o" and first[1:].isdigit():
        return "o"
    return first.split(".")[0]


def tier_of(name, family):
    parts = name.replace(".", "-").split("-")
    for p in parts[1:]:
        if p in TIERS.get(family, []):
            return p
    return ""


def price(row):
    inp, out, w5, w1, read = row[:5]
    w5 = inp if w5 is None else w5
    w1 = w5 if w1 is None else w1
    return {"input": inp, "output": out, "cache_write_5m": w5, "cache_write_1h": w1, "cache_read": read}


def scaled(p, m, om):
    return {k: round(v * (om if k == "output" else m), 6) for k, v in p.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--input", default=DEFAULT_INPUT, help="vendor rows (file or URL), default: the saved input")
    ap.add_argument("--public", help="a LiteLLM-shaped public catalogue (file or URL) to cross-check against")
    ap.add_argument("--output", default=DEFAULT_OUTPUT, help="where to write, '-' for stdout")
    args = ap.parse_args()

    data = load(args.input)
    public = load(args.public) if args.public else {}
    sources = {}
    models = {}
    for vendor, block in data["vendors"].items():
        sources[vendor] = "; ".join(block["sources"])
        long_ctx = block.get("long_context", {})
        for name, row in block["models"].items():
            family = family_of(name)
            p = price(row)
            entry = {"vendor": vendor, "family": family, "tier": tier_of(name, family)}
            entry.update(p)
            context, max_out = row[5], row[6]
            pub = public.get(name) or public.get(vendor + "/" + name) or {}
            if pub:
                context = context or pub.get("max_input_tokens") or 0
                max_out = max_out or pub.get("max_output_tokens") or 0
                for key, field in (("input", "input_cost_per_token"), ("output", "output_cost_per_token"),
                                   ("cache_read", "cache_read_input_token_cost")):
                    if field in pub and abs(pub[field] * 1e6 - p[key]) > 1e-9:
                        print(f"{name}: {key} {p[key]} on the vendor page, {pub[field] * 1e6:g} in the public "
                              f"catalogue", file=sys.stderr)
            entry["context_window"] = context
            entry["max_output"] = max_out
            lc = long_ctx.get(name)
            if lc:
                tariff = {"above_input_tokens": lc["above_input_tokens"]}
                tariff.update(scaled(p, lc["multiplier"], lc["output_multiplier"]))
                entry["long_context"] = tariff
            for platform in ("bedrock", "vertex"):
                platform_id = data.get("cloud", {}).get(platform, {}).get(name)
                if platform_id:
                    entry[platform] = platform_id
            models[name] = entry

    if "cloud" in data:
        sources["bedrock, vertex"] = "; ".join(data["cloud"]["sources"])
        for platform in ("bedrock", "vertex"):
            for name in data["cloud"][platform]:
                if name not in models:
                    sys.exit(f"cloud.{platform}.{name}: no such model in the vendor rows")
    out = {
        "as_of": data["read_on"],
        "generated_by": "tools/catalogue/generate.py from " + os.path.basename(args.input)
                        + (" and " + os.path.basename(args.public) if args.public else ""),
        "sources": sources,
        "note": "USD per million tokens; input excludes cache reads and writes. Open models are priced at one "
                "vendor's public list price. Update a running gateway with `relaygate catalogue update --file F`.",
        "tier_sizes": TIER_SIZES,
        "fallback": None,
        "cloud_betas": data.get("cloud", {}).get("betas", []),
        "models": models,
    }
    text = json.dumps(out, indent=2) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote {len(models)} models to {os.path.relpath(args.output)}", file=sys.stderr)


if __name__ == "__main__":
    main()
