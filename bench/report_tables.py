"""The tables `make bench` prints: each page against its static twin, and the
targets of issue 15 with MET or MISSED (bench/run.py measures, this prints)."""

TARGETS = {"cached page": 0.9, "304": 1.0, "uncached question": 0.25}


def ratio(page, static):
    return page["rps"] / static["rps"]


def print_table(label, rows):
    print(f"\n{label}")
    print(
        f"{'page':<18} {'KB':>6} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'static/s':>9} {'ratio':>6}  target"
    )
    for name, size, page, static in rows:
        target = TARGETS.get(name, TARGETS["cached page"])
        verdict = "ok" if ratio(page, static) >= target else "MISSED"
        print(
            f"{name:<18} {size / 1024:6.1f} {page['rps']:8.0f} {page['p50']:7.2f} "
            f"{page['p99']:7.2f} {static['rps']:9.0f} {ratio(page, static):6.2f}  "
            f">= {target} {verdict}"
        )


def verdict(met):
    return "MET" if met else "MISSED"


def print_targets(seed, big, label):
    """The issue's table (#15): each row's figure, its target, MET or MISSED."""
    compressed = {n: ratio(p, s) for n, _, p, s in seed["rows"] if n.endswith(", br")}
    worst = min(compressed, key=compressed.get)
    guide = seed["bodies"]["guide"]
    shares = {enc: len(guide[enc]) / len(guide[""]) for enc in ("br", "gzip")}
    pairs = zip(seed["rows"], big["rows"], strict=True)
    scale = {
        name: ratio(b, b_static) / ratio(s, s_static)
        for (name, _, s, s_static), (_, _, b, b_static) in pairs
        if name != "uncached question"
    }
    worst_scale = min(scale, key=scale.get)
    without, during, saves = seed["editing"]
    editing = during / without
    proxied = {name: ratio(page, static) for name, (page, static) in seed["proxy"].items()}
    worst_proxy = min(proxied, key=proxied.get)
    rows = [
        (
            "cached page, compressed, vs whitenoise's compressed static file",
            f"{compressed[worst]:.2f} (lowest: {worst})",
            ">= 0.9",
            compressed[worst] >= 0.9,
        ),
        (
            "bytes sent for the seed guide (br / gzip) vs uncompressed",
            f"{shares['br']:.0%} / {shares['gzip']:.0%} of {len(guide['']) / 1024:.1f} KB",
            "<= 25%",
            max(shares.values()) <= 0.25,
        ),
        (
            "throughput with an editor saving once a second vs no edits",
            f"{editing:.2f} ({during:.0f} vs {without:.0f} req/s, {saves} saves)",
            ">= 0.5",
            editing >= 0.5,
        ),
        (
            f"every page type at {label} vs the seed data",
            f"{scale[worst_scale]:.2f} (lowest: {worst_scale})",
            ">= 0.8",
            scale[worst_scale] >= 0.8,
        ),
        (
            "cached pages through the README's nginx vs nginx's static file",
            f"{proxied[worst_proxy]:.2f} (lowest: {worst_proxy})",
            ">= 0.5",
            proxied[worst_proxy] >= 0.5,
        ),
    ]
    print("\nTargets (issue #15; ratios measured in this run)")
    for what, figure, target, met in rows:
        print(f"  {what:<66} {figure:<34} {target:<7} {verdict(met)}")
    print(f"\n{label} vs seed data, per page (rate over its static twin's, target >= 0.8)")
    for name, value in scale.items():
        print(f"  {name:<18} {value:5.2f}  {verdict(value >= 0.8)}")
    print("\nnginx (bench/nginx.py, the README's configuration without TLS)")
    for name, (page, static) in seed["proxy"].items():
        print(
            f"  {name:<28} {page['rps']:8.0f} req/s, static {static['rps']:8.0f} req/s, "
            f"ratio {ratio(page, static):5.2f}  {verdict(ratio(page, static) >= 0.5)}"
        )
