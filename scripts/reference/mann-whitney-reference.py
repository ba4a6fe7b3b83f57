#!/usr/bin/env python3
"""Generate test/data/mann-whitney-reference.json: reference results of the Mann-Whitney U test.

The TypeScript implementation (src/analysis/mann-whitney.ts) must reproduce every case: the U statistic
and the method exactly, the p-value to 1e-9 absolute (and, where an exact rational p-value is known, to
1e-12 relative).

Method choice (Kanaria's, after go-moremath / PipeCD; DESIGN.md §5):
  - no ties in the pooled sample and both samples <= 50 points: exact distribution;
  - ties and both samples <= 25 points: exact distribution conditional on the ties (the permutation
    distribution of the midranks);
  - otherwise: normal approximation with tie correction and continuity correction.

Where each expected p-value comes from ("reference" in every case):
  - scipy-exact:        scipy.stats.mannwhitneyu(x, y, alternative=..., method="exact")   (no ties)
  - scipy-asymptotic:   scipy.stats.mannwhitneyu(..., method="asymptotic", use_continuity=True)
  - scipy-permutation:  scipy.stats.mannwhitneyu(..., method=PermutationMethod(n_resamples=inf)), which
                        enumerates all C(n1+n2, n1) splits of the midranks. Feasible only while that count
                        is small (<= PERMUTATION_ENUMERATION_LIMIT), so it is used for the small tied cases.
  - enumeration:        tied cases with a 1-point sample (scipy's permutation_test needs 2 per sample):
                        brute force over every split, U counted pairwise rather than from ranks.
  - exact-count:        the tied cases too large for scipy to enumerate (up to 25 + 25). Computed here by
                        exact integer counting (exact_tails below, a generating-function method written
                        independently of the TypeScript one). Before it is trusted, it is checked against
                        scipy: it must equal scipy-permutation on every small tied case and scipy-exact on
                        every no-tie case (1e-12), and on every large tied case it must agree with a
                        seeded Monte Carlo scipy permutation test within its sampling error (skipped
                        only for the all-equal 25 + 25 case, whose distribution is a single point).
  Every exact case also carries "pValueExact": the exactly rounded p-value from exact_tails.

Deterministic: every case draws from numpy's default_rng seeded with a CRC32 of the case name, so adding a
case changes no other case. Re-run with

    python3 scripts/reference/mann-whitney-reference.py            # rewrites the committed file
    python3 scripts/reference/mann-whitney-reference.py --out F    # writes F instead

When writing into the repository it then formats the file with the project's Biome (if installed), so a
re-run reproduces the committed file byte for byte; the test suite compares parsed content.
Requires numpy and a scipy whose mannwhitneyu accepts a PermutationMethod; generated with scipy 1.17.1.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import subprocess
import sys
import zlib
from fractions import Fraction
from pathlib import Path

import numpy as np
import scipy
import scipy.stats as st

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "test" / "data" / "mann-whitney-reference.json"

EXACT_LIMIT_WITHOUT_TIES = 50
EXACT_LIMIT_WITH_TIES = 25
# scipy's exact permutation test materialises every split: ~13 µs each, so C(18, 9) = 48620 takes ~0.6 s.
PERMUTATION_ENUMERATION_LIMIT = 50_000
MONTE_CARLO_RESAMPLES = 20_000
ALTERNATIVES = ("two-sided", "greater", "less")


# ---------------------------------------------------------------------------------------------------------
# Exact distribution by counting (independent of scipy and of the TypeScript code)
# ---------------------------------------------------------------------------------------------------------


def doubled_u(x: list[float], y: list[float]) -> int:
    """2*U1 = 2*R1 - n1(n1+1), with R1 the midrank sum of x (scipy.stats.rankdata, 'average')."""
    ranks = st.rankdata(x + y, method="average")
    doubled = sum(int(round(2 * r)) for r in ranks[: len(x)])
    return doubled - len(x) * (len(x) + 1)


def exact_counts(x: list[float], y: list[float]) -> list[int]:
    """counts[w] = number of ways to choose n1 of the pooled values whose 2*U equals w.

    Generating function prod_i (1 + t * z^(d_i)) over the pooled values' doubled midranks d_i; the
    coefficient of t^n1 is a polynomial in z. Each polynomial is packed into one Python integer with a
    fixed number of bits per coefficient (Kronecker substitution), so multiplying by (1 + t z^d) is a
    shift and an add per power of t, in exact integer arithmetic.
    """
    pooled = x + y
    n1, total = len(x), len(pooled)
    doubled_ranks = [int(round(2 * r)) for r in st.rankdata(pooled, method="average")]
    bits = ((math.comb(total, n1).bit_length() + 8) // 8) * 8  # whole bytes; no coefficient overflows
    rows = [0] * (n1 + 1)  # rows[k] = sum over k-subsets of z^(their doubled rank sum)
    rows[0] = 1
    for seen, d in enumerate(doubled_ranks, start=1):
        for k in range(min(n1, seen), 0, -1):
            rows[k] += rows[k - 1] << (d * bits)
    # Doubled rank sums of n1-subsets start at n1(n1+1); shifting that out leaves index = 2U.
    packed = rows[n1] >> (n1 * (n1 + 1) * bits)
    width = bits // 8
    raw = packed.to_bytes(max(1, (packed.bit_length() + 7) // 8 + width), "little")
    counts = [int.from_bytes(raw[i : i + width], "little") for i in range(0, len(raw), width)]
    while len(counts) > 1 and counts[-1] == 0:
        counts.pop()
    assert sum(counts) == math.comb(total, n1), "counts must cover every split exactly once"
    return counts


def exact_tails(x: list[float], y: list[float]) -> tuple[Fraction, Fraction]:
    """(P(U1 <= u), P(U1 >= u)) as exact fractions under the permutation null, ties included."""
    counts = exact_counts(x, y)
    w = doubled_u(x, y)
    total = sum(counts)
    return Fraction(sum(counts[: w + 1]), total), Fraction(sum(counts[w:]), total)


def exact_p_value(x: list[float], y: list[float], alternative: str) -> float:
    at_most, at_least = exact_tails(x, y)
    if alternative == "greater":
        p = at_least
    elif alternative == "less":
        p = at_most
    else:
        p = min(Fraction(1), 2 * min(at_most, at_least))
    return float(p)  # exactly rounded


def enumerated_p_value(x: list[float], y: list[float], alternative: str) -> float:
    """Brute force over every split, with U counted pairwise (x > y counts 1, x == y counts 1/2)."""
    pooled = x + y

    def doubled_pairwise_u(chosen: set[int]) -> int:
        xs = [pooled[i] for i in chosen]
        ys = [pooled[i] for i in range(len(pooled)) if i not in chosen]
        return sum(2 if a > b else 1 if a == b else 0 for a in xs for b in ys)

    observed = doubled_pairwise_u(set(range(len(x))))
    values = [doubled_pairwise_u(set(c)) for c in itertools.combinations(range(len(pooled)), len(x))]
    at_most = Fraction(sum(v <= observed for v in values), len(values))
    at_least = Fraction(sum(v >= observed for v in values), len(values))
    p = {"greater": at_least, "less": at_most}.get(alternative, min(Fraction(1), 2 * min(at_most, at_least)))
    return float(p)


# ---------------------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------------------


def rng_for(name: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(name.encode("utf-8")))


def has_ties(x: list[float], y: list[float]) -> bool:
    return len(set(x + y)) < len(x) + len(y)


def expected_method(x: list[float], y: list[float]) -> str:
    limit = EXACT_LIMIT_WITH_TIES if has_ties(x, y) else EXACT_LIMIT_WITHOUT_TIES
    return "exact" if len(x) <= limit and len(y) <= limit else "asymptotic"


def floats(values) -> list[float]:
    return [float(v) for v in values]


def continuous(rng: np.random.Generator, n1: int, n2: int, shift: float) -> tuple[list[float], list[float]]:
    """Latency-like data (ms, log-normal); x is scaled by e^shift. Six decimals keep ties improbable."""
    x = np.round(rng.lognormal(np.log(120.0) + shift, 0.25, n1), 6)
    y = np.round(rng.lognormal(np.log(120.0), 0.25, n2), 6)
    return floats(x), floats(y)


def counts_data(rng: np.random.Generator, n1: int, n2: int, rate: float, ratio: float):
    """Error counts per bucket (Poisson): integer data, heavy ties."""
    return floats(rng.poisson(rate * ratio, n1)), floats(rng.poisson(rate, n2))


def levels_data(rng: np.random.Generator, n1: int, n2: int, levels: int, shift: int):
    """Integers 0..levels-1 (+shift for x): with levels < n1 + n2 a tie is certain."""
    return floats(rng.integers(0, levels, n1) + shift), floats(rng.integers(0, levels, n2))


def rounded_data(rng: np.random.Generator, n1: int, n2: int, shift: float, step: float = 0.1):
    """Normal data rounded to a multiple of `step`: a mix of tied and untied values."""

    def draw(mean: float, n: int) -> list[float]:
        return floats(np.round(np.round(rng.normal(mean, 1.0, n) / step) * step, 6))

    return draw(shift, n1), draw(0.0, n2)


def build_samples() -> list[dict]:
    """Every (name, kind, x, y); each is then tested under all three alternatives."""
    samples: list[dict] = []

    def add(name: str, kind: str, x: list[float], y: list[float]) -> None:
        samples.append({"name": name, "kind": kind, "x": x, "y": y})

    # No ties, exact (both <= 50), including the limits 50 and 1.
    no_tie_sizes = [
        (1, 1), (1, 2), (2, 1), (1, 7), (3, 4), (4, 3), (5, 5), (2, 9), (6, 10), (8, 8), (10, 12),
        (15, 9), (12, 20), (20, 20), (25, 30), (33, 17), (40, 45), (50, 50), (50, 1), (1, 50), (50, 3),
        (49, 50),
    ]
    shifts = [0.0, 0.15, -0.15, 0.4]
    for i, (n1, n2) in enumerate(no_tie_sizes):
        shift = shifts[i % len(shifts)]
        name = f"no-ties {n1}x{n2} shift {shift}"
        add(name, "no-ties", *continuous(rng_for(name), n1, n2, shift))
    # Complete separation: the most extreme U, p = 1/C(n1+n2, n1) one-sided (~1e-29 for 50 + 50).
    for n1, n2 in [(10, 10), (50, 50), (7, 30)]:
        x = floats(np.arange(n1) + 1000.5)
        y = floats(np.arange(n2) + 0.25)
        add(f"separated {n1}x{n2} (x above y)", "separated", x, y)
    # The same far in the asymptotic range: the normal tail near 1e-27 must keep its relative precision.
    add("separated 80x80 (x above y)", "separated", floats(np.arange(80) + 1000.5), floats(np.arange(80) + 0.25))
    add("separated with ties 40x30 (x above y)", "separated-ties", floats(np.arange(40) // 4 + 100), floats(np.arange(30) // 3))

    # Ties, small enough for scipy to enumerate every split exactly.
    small_tie_sizes = [
        (1, 2), (2, 2), (2, 5), (3, 3), (3, 6), (4, 4), (5, 4), (6, 6), (2, 14), (7, 8), (8, 8), (9, 8),
        (9, 9),
    ]
    for i, (n1, n2) in enumerate(small_tie_sizes):
        name = f"ties small {n1}x{n2} #{i}"
        rng = rng_for(name)
        if i % 3 == 0:
            x, y = levels_data(rng, n1, n2, max(2, min(4, n1 + n2 - 1)), i % 2)
        elif i % 3 == 1:
            x, y = counts_data(rng, n1, n2, 2.0, 1.8)
        else:
            x, y = rounded_data(rng, n1, n2, 0.5, 0.5)
        add(name, "ties", x, y)

    # Ties, up to 25 + 25: exact conditional distribution too large for scipy to enumerate.
    large_tie_sizes = [(25, 25), (25, 24), (20, 25), (25, 10), (1, 25), (25, 1), (13, 17), (22, 22)]
    for i, (n1, n2) in enumerate(large_tie_sizes):
        name = f"ties large {n1}x{n2} #{i}"
        rng = rng_for(name)
        if i % 4 == 0:
            x, y = counts_data(rng, n1, n2, 3.0, 1.5)
            kind = "heavy-ties"
        elif i % 4 == 1:
            x, y = levels_data(rng, n1, n2, 3, 0)
            kind = "heavy-ties"
        elif i % 4 == 2:
            x, y = rounded_data(rng, n1, n2, 0.4)
            kind = "ties"
        else:
            x, y = levels_data(rng, n1, n2, 12, 1)
            kind = "ties"
        add(name, kind, x, y)

    # Asymptotic without ties: a sample above 50 points.
    for i, (n1, n2) in enumerate([(51, 51), (50, 51), (60, 80), (80, 80), (80, 5), (1, 80), (80, 1), (51, 10)]):
        shift = shifts[i % len(shifts)] / 2
        name = f"no-ties large {n1}x{n2} shift {shift}"
        add(name, "no-ties", *continuous(rng_for(name), n1, n2, shift))

    # Asymptotic with ties: a sample above 25 points.
    for i, (n1, n2) in enumerate([(26, 26), (26, 25), (30, 10), (1, 26), (40, 60), (80, 80), (80, 79), (26, 80)]):
        name = f"ties asymptotic {n1}x{n2} #{i}"
        rng = rng_for(name)
        if i % 3 == 0:
            x, y = counts_data(rng, n1, n2, 2.5, 1.3)
            kind = "heavy-ties"
        elif i % 3 == 1:
            x, y = rounded_data(rng, n1, n2, 0.3)
            kind = "ties"
        else:
            x, y = levels_data(rng, n1, n2, 3, 0)
            kind = "heavy-ties"
        add(name, kind, x, y)

    # Every value equal: no evidence, p = 1 (exact at <= 25 per side, asymptotic above).
    for n1, n2 in [(1, 1), (2, 3), (25, 25), (26, 26), (80, 80), (1, 60), (50, 50)]:
        add(f"all equal {n1}x{n2}", "all-equal", [7.0] * n1, [7.0] * n2)

    # One value each.
    add("one each, x below y", "one-each", [1.0], [2.0])
    add("one each, x above y", "one-each", [2.5], [-1.0])

    return samples


# ---------------------------------------------------------------------------------------------------------
# Reference values and cross-checks
# ---------------------------------------------------------------------------------------------------------


def scipy_result(x, y, alternative: str, method) -> tuple[float, float]:
    if isinstance(method, str) and method == "asymptotic":
        res = st.mannwhitneyu(x, y, alternative=alternative, method="asymptotic", use_continuity=True)
    else:
        res = st.mannwhitneyu(x, y, alternative=alternative, method=method)
    return float(res.statistic), float(res.pvalue)


def monte_carlo_check(name: str, x, y, alternative: str, p_exact: float) -> None:
    """A seeded random permutation test by scipy must agree with the exact count within sampling error."""
    method = st.PermutationMethod(n_resamples=MONTE_CARLO_RESAMPLES, rng=rng_for("monte carlo " + name))
    _, p_mc = scipy_result(x, y, alternative, method)
    factor = 2 if alternative == "two-sided" else 1
    one_sided = min(1.0, max(p_exact / factor, 1 / MONTE_CARLO_RESAMPLES))
    tolerance = factor * (6 * math.sqrt(one_sided * (1 - one_sided) / MONTE_CARLO_RESAMPLES) + 2 / MONTE_CARLO_RESAMPLES)
    if abs(p_mc - p_exact) > tolerance:
        raise AssertionError(f"{name} {alternative}: Monte Carlo p {p_mc} vs exact count {p_exact}")


def build_case(sample: dict, alternative: str, stats: dict) -> dict:
    name, kind, x, y = sample["name"], sample["kind"], sample["x"], sample["y"]
    tied = has_ties(x, y)
    if kind in ("no-ties", "separated", "one-each") and tied:
        raise AssertionError(f"{name}: generated data unexpectedly has ties; change the case")
    if kind in ("ties", "heavy-ties", "all-equal", "separated-ties") and not tied:
        raise AssertionError(f"{name}: generated data unexpectedly has no ties; change the case")
    method = expected_method(x, y)
    case: dict = {"name": f"{name} {alternative}", "kind": kind, "x": x, "y": y, "alternative": alternative, "method": method}
    u_doubled = doubled_u(x, y)

    if method == "asymptotic":
        u, p = scipy_result(x, y, alternative, "asymptotic")
        case["reference"] = "scipy-asymptotic"
    else:
        p_exact = exact_p_value(x, y, alternative)
        splits = math.comb(len(x) + len(y), len(x))
        if not tied:
            u, p = scipy_result(x, y, alternative, "exact")
            case["reference"] = "scipy-exact"
            stats["max |scipy-exact - exact count|"] = max(stats.get("max |scipy-exact - exact count|", 0.0), abs(p - p_exact))
            check(abs(p - p_exact) <= 1e-12, f"{name} {alternative}: scipy exact {p} vs exact count {p_exact}")
        elif splits <= PERMUTATION_ENUMERATION_LIMIT and min(len(x), len(y)) < 2:
            # scipy's permutation_test needs two observations per sample: enumerate here instead.
            u, p = u_doubled / 2, enumerated_p_value(x, y, alternative)
            case["reference"] = "enumeration"
            check(abs(p - p_exact) <= 1e-12, f"{name} {alternative}: enumeration {p} vs exact count {p_exact}")
        elif splits <= PERMUTATION_ENUMERATION_LIMIT:
            u, p = scipy_result(x, y, alternative, st.PermutationMethod(n_resamples=np.inf))
            case["reference"] = "scipy-permutation"
            check(abs(p - p_exact) <= 1e-12, f"{name} {alternative}: scipy permutation {p} vs exact count {p_exact}")
        else:
            u = u_doubled / 2
            p = p_exact
            case["reference"] = "exact-count"
            if len(set(x + y)) > 1:
                monte_carlo_check(name, x, y, alternative, p_exact)
        case["pValueExact"] = p_exact

    check(u * 2 == u_doubled, f"{name}: scipy U {u} vs midrank U {u_doubled / 2}")
    case["u"] = u
    case["pValue"] = p
    return case


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def render(cases: list[dict]) -> str:
    meta = {
        "generator": "scripts/reference/mann-whitney-reference.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "note": "Generated; do not edit. See the generator's docstring for the meaning of each field.",
    }
    lines = [json.dumps(case, allow_nan=False) for case in cases]
    return '{"meta": ' + json.dumps(meta) + ',\n"cases": [\n' + ",\n".join(lines) + "\n]}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file (default: the committed table)")
    parser.add_argument("--no-format", action="store_true", help="do not run Biome on the output")
    args = parser.parse_args()

    stats: dict = {}
    cases = [build_case(sample, alternative, stats) for sample in build_samples() for alternative in ALTERNATIVES]
    names = [case["name"] for case in cases]
    check(len(names) == len(set(names)), "case names must be unique")

    out: Path = args.out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(cases), encoding="utf-8")

    biome = REPO / "node_modules" / ".bin" / "biome"
    if not args.no_format and out.is_relative_to(REPO) and biome.exists():
        subprocess.run([str(biome), "format", "--write", str(out)], cwd=REPO, check=True, capture_output=True)

    by_reference: dict[str, int] = {}
    for case in cases:
        key = f"{case['method']:<10} {case['reference']}"
        by_reference[key] = by_reference.get(key, 0) + 1
    print(f"wrote {len(cases)} cases to {out}", file=sys.stderr)
    for key, count in sorted(by_reference.items()):
        print(f"  {count:4d}  {key}", file=sys.stderr)
    for key, value in stats.items():
        print(f"  {key}: {value:.3g}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
