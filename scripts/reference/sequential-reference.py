#!/usr/bin/env python3
"""Reference values for the SEQUENTIAL strategy (src/analysis/sequential-test.ts).

    python3 scripts/reference/sequential-reference.py [--out test/data/sequential-reference.json]

With --out the file is then laid out by the repository's formatter (npx biome format), as lint expects.

Computed independently of the TypeScript: per-bucket likelihoods come from scipy.stats.binom.logpmf
(not from the closed form the TypeScript uses), the late-start components are summed by brute force
over every start bucket (not by the TypeScript's recursion), the exact maximum-likelihood ratio is
found with scipy.optimize.brentq on the score over the whole history (the TypeScript keeps no history),
and the smallest detectable ratio is a brentq root of the expected-evidence equation written with
θ(r) (the TypeScript bisects a form written with ln r and log1p). What is shared is only the definition:
the grid, the prior's formula, the interval's walking rule and the grid-MLE refinement, which are
specified in sequential-prior.ts / sequential-test.ts and restated here.

Needs python3 with numpy and scipy (on the project's machines, not on users' laptops). The vitest suite
re-runs this script when `python3 -c "import scipy"` works and compares its output with the committed
JSON.
"""

import argparse
import json
import math
import subprocess
import sys

import numpy as np
from scipy.optimize import brentq
from scipy.special import logsumexp
from scipy.stats import binom

GRID_RATIO_STEP = 1.05
STEP = math.log(GRID_RATIO_STEP)
ALTERNATIVES = 80
CANDIDATES = 95
HALF = CANDIDATES + ALTERNATIVES
DEFAULT_PRIOR = {"centre": 1.8, "spread": 0.2, "tail": 0.05, "late": 0.3, "lateFrom": 4, "lateScale": 10,
                 "lateCentre": 6.5, "lateSpread": 0.35}
# The default before the late bump (no lateCentre / lateSpread: the even late law), as an older
# analysis recorded it.
EVEN_LATE_PRIOR = {"centre": 1.75, "spread": 0.2, "tail": 0.15, "late": 0.2, "lateFrom": 4, "lateScale": 10}


def uncut_start_mass(late_mass, h, k):
    """Prior mass of a start at informative bucket k ≥ 2 of the uncut law: late·(1 + h) / ((k − 1 + h)(k + h))."""
    return late_mass * (1 + h) / ((k - 1 + h) * (k + h))


def late_start_mass(late_mass, h, k, horizon):
    """With a horizon H the law is cut at H and renormalised by brute force: its masses on 2..H summed one
    by one (the TypeScript uses the closed form (H + h) / (H − 1) for the factor)."""
    if horizon is None:
        return uncut_start_mass(late_mass, h, k)
    if k > horizon:
        return 0.0
    kept = sum(uncut_start_mass(late_mass, h, i) for i in range(2, horizon + 1))
    return uncut_start_mass(late_mass, h, k) * late_mass / kept


def late_unstarted_mass(late_mass, h, t, horizon):
    """The starts after bucket t. Uncut: 200000 terms summed one by one (the TypeScript uses the closed form
    late·(1 + h) / (max(1, t) + h)), plus the telescoped remainder beyond them. Cut: the starts t+1..H."""
    if late_mass <= 0:
        return 0.0
    if horizon is not None:
        return float(sum(late_start_mass(late_mass, h, k, horizon) for k in range(max(2, t + 1), horizon + 1)))
    # Σ_{k ≥ K} π_k = late·(1 + h) / (K − 1 + h), used only for the remainder from K = far on (< 1e-4 of it).
    far = max(2, t + 1) + 200000
    ks = np.arange(max(2, t + 1), far, dtype=float)
    return float(np.sum(late_mass * (1 + h) / ((ks - 1 + h) * (ks + h))) + late_mass * (1 + h) / (far - 1 + h))


def weights(prior):
    """Early and late weights over j = 1..ALTERNATIVES (sequential-prior.ts, mixtureWeights). The late ratio
    law: log-normal (lateCentre, lateSpread) from lateFrom up, or even in ln r without those fields."""
    j = np.arange(1, ALTERNATIVES + 1)
    z = (j * STEP - math.log(prior["centre"])) / prior["spread"]
    bump = np.exp(-0.5 * z * z)
    early = (1 - prior["tail"]) * bump / bump.sum() + prior["tail"] / ALTERNATIVES
    first_late = max(1, math.ceil(math.log(prior["lateFrom"]) / STEP - 1e-9))
    if "lateCentre" in prior:
        zl = (j * STEP - math.log(prior["lateCentre"])) / prior["lateSpread"]
        density = np.where(j >= first_late, np.exp(-0.5 * zl * zl), 0.0)
        late = density / density.sum()
    else:
        late = np.where(j >= first_late, 1.0 / (ALTERNATIVES - first_late + 1), 0.0)
    return early, late


def theta(r, s):
    return r * s / (r * s + 1 - s)


def grid_ratio(max_ratio, k):
    return max_ratio * math.exp(k * STEP)


def bucket_llr(max_ratio, b):
    """ln L(r_k) − ln L(maxRatio) for one informative bucket, every k = −HALF..HALF, via binom.logpmf."""
    s = b["canaryTotal"] / (b["canaryTotal"] + b["controlTotal"])
    m = b["canaryErrors"] + b["controlErrors"]
    ks = np.arange(-HALF, HALF + 1)
    ratios = max_ratio * np.exp(ks * STEP)
    return binom.logpmf(b["canaryErrors"], m, theta(ratios, s)) - binom.logpmf(b["canaryErrors"], m, theta(max_ratio, s))


def informative(b):
    return b["canaryTotal"] > 0 and b["controlTotal"] > 0 and b["canaryErrors"] + b["controlErrors"] > 0


def log_evidence(incs, early, late, late_mass, late_scale, horizon):
    """ln of the mixture over alternatives and over the informative bucket where the regression starts."""
    t = len(incs)
    cumulative = np.sum(incs, axis=0) if t else np.zeros(2 * HALF + 1)
    alt = slice(HALF + 1, HALF + ALTERNATIVES + 1)
    terms = [math.log1p(-late_mass) + logsumexp(np.log(early) + cumulative[alt])]
    if late_mass > 0:
        for k in range(2, t + 1):  # start at informative bucket k (1-based)
            mass = late_start_mass(late_mass, late_scale, k, horizon)
            if mass <= 0:  # past the horizon
                continue
            from_k = np.sum(incs[k - 1 :], axis=0)
            with np.errstate(divide="ignore"):
                terms.append(math.log(mass) + logsumexp(np.log(late) + from_k[alt]))
        pending = late_unstarted_mass(late_mass, late_scale, t, horizon)
        if pending > 0:
            terms.append(math.log(pending))
    return float(logsumexp(terms))


def candidate_log_evidence(cumulative, early, c):
    d = np.arange(1, ALTERNATIVES + 1)
    centre = cumulative[HALF + c]
    up = cumulative[HALF + c + d] - centre
    down = cumulative[HALF + c - d] - centre
    lw = np.log(0.5 * early)
    return float(logsumexp(np.concatenate([lw + up, lw + down])))


def refine(f, quartic):
    """Same rule as refineMaximum in sequential-test.ts (a definition, restated)."""
    fm1, f0, fp1 = f(-1), f(0), f(1)
    a1 = (fp1 - fm1) / 2
    a2 = (fp1 - 2 * f0 + fm1) / 2
    a3 = a4 = 0.0
    if quartic:
        fm2, fp2 = f(-2), f(2)
        a1 = (fm2 - 8 * fm1 + 8 * fp1 - fp2) / 12
        a2 = (-fm2 + 16 * fm1 - 30 * f0 + 16 * fp1 - fp2) / 24
        a3 = (-fm2 + 2 * fm1 - 2 * fp1 + fp2) / 12
        a4 = (fm2 - 4 * fm1 + 6 * f0 - 4 * fp1 + fp2) / 24
    if not a2 < 0:
        return 0.0
    clamp = lambda x: min(1.0, max(-1.0, x))  # noqa: E731
    x = clamp(-a1 / (2 * a2))
    for _ in range(50):
        slope = a1 + 2 * a2 * x + 3 * a3 * x * x + 4 * a4 * x**3
        curvature = 2 * a2 + 6 * a3 * x + 12 * a4 * x * x
        if not curvature < 0:
            break
        nxt = clamp(x - slope / curvature)
        if abs(nxt - x) < 1e-15:
            x = nxt
            break
        x = nxt
    return x


def grid_estimate(max_ratio, cumulative, xc, xk):
    if xc + xk <= 0:
        return None
    if xc <= 0:
        return 0.0
    if xk <= 0:
        return math.inf
    best = int(np.argmax(cumulative))
    k = best - HALF
    size = 2 * HALF + 1
    if best in (0, size - 1):
        return grid_ratio(max_ratio, k)
    x = refine(lambda o: float(cumulative[best + o]), 2 <= best <= size - 3)
    return grid_ratio(max_ratio, k + x)


def exact_estimate(buckets, xc, xk):
    """Root of the score Σ xc_i / r − m_i s_i / (r s_i + 1 − s_i) over the informative buckets."""
    if xc + xk <= 0:
        return None
    if xc <= 0:
        return 0.0
    if xk <= 0:
        return math.inf
    used = [b for b in buckets if informative(b)]

    def score(log_r):
        r = math.exp(log_r)
        total = 0.0
        for b in used:
            s = b["canaryTotal"] / (b["canaryTotal"] + b["controlTotal"])
            m = b["canaryErrors"] + b["controlErrors"]
            total += b["canaryErrors"] - m * r * s / (r * s + 1 - s)
        return total

    return math.exp(brentq(score, -40, 40, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500))


def min_detectable(max_ratio, compared, early, late_mass, alpha):
    nc, nk = compared["canaryTotal"], compared["controlTotal"]
    errors = compared["canaryErrors"] + compared["controlErrors"]
    if not (nc > 0 and nk > 0 and errors > 0):
        return math.inf
    rate = errors / (nc + nk)
    s = nc / (nc + nk)
    j = np.arange(1, ALTERNATIVES + 1)
    alts = max_ratio * np.exp(j * STEP)
    t1, t0 = theta(alts, s), theta(max_ratio, s)

    def excess(log_r):
        ec = math.exp(log_r) * rate * nc
        ek = rate * nk
        llr = ec * np.log(t1 / t0) + ek * np.log((1 - t1) / (1 - t0))
        early_part = math.log1p(-late_mass) + logsumexp(np.log(early) + llr)
        value = float(np.logaddexp(early_part, math.log(late_mass))) if late_mass > 0 else float(early_part)
        return value + math.log(alpha)

    lo, hi = math.log(max_ratio), math.log(max_ratio) + HALF * STEP
    if excess(hi) < 0:
        return math.inf
    return math.exp(brentq(excess, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500))


def run_case(case):
    params = case["params"]
    max_ratio, alpha = params["maxRatio"], params["alpha"]
    prior = params.get("prior", DEFAULT_PRIOR)
    early, late = weights(prior)
    threshold = -math.log(alpha)
    incs = []
    lo, hi = -CANDIDATES, CANDIDATES
    failed_at = None
    exhausted = False
    compared = {"canaryErrors": 0, "canaryTotal": 0, "controlErrors": 0, "controlTotal": 0}
    steps = []
    for n, b in enumerate(case["buckets"], start=1):
        if b["canaryTotal"] > 0 and b["controlTotal"] > 0:
            for key in compared:
                compared[key] += b[key]
        if informative(b):
            incs.append(bucket_llr(max_ratio, b))
            cumulative = np.sum(incs, axis=0)
            while lo < hi and candidate_log_evidence(cumulative, early, lo) >= threshold:
                lo += 1
            while hi > lo and candidate_log_evidence(cumulative, early, hi) >= threshold:
                hi -= 1
            if lo == hi and candidate_log_evidence(cumulative, early, lo) >= threshold:
                exhausted = True
        cumulative = np.sum(incs, axis=0) if incs else np.zeros(2 * HALF + 1)
        le = log_evidence(incs, early, late, prior["late"], prior["lateScale"], prior.get("horizon"))
        if failed_at is None and le >= threshold:
            failed_at = n
        interval_hi = math.inf if hi >= CANDIDATES else grid_ratio(max_ratio, hi)
        steps.append(
            {
                "buckets": n,
                "informativeBuckets": len(incs),
                "logEvidence": le,
                "failedAtBucket": failed_at,
                "estimate": grid_estimate(max_ratio, cumulative, compared["canaryErrors"], compared["controlErrors"]),
                "exactEstimate": exact_estimate(case["buckets"][:n], compared["canaryErrors"], compared["controlErrors"]),
                "interval": [0.0 if lo <= -CANDIDATES else grid_ratio(max_ratio, lo), interval_hi],
                "intervalExhausted": exhausted,
                "canPassEarly": failed_at is None and interval_hi < max_ratio,
                "minDetectableRatio": min_detectable(max_ratio, compared, early, prior["late"], alpha),
            }
        )
    return {**case, "steps": steps}


def bucket(xc, nc, xk, nk):
    return {"canaryErrors": xc, "canaryTotal": nc, "controlErrors": xk, "controlTotal": nk}


def simulated(seed, n, rps, ratio, share=0.1, rate=0.002, onset=0):
    """Fixed sequences drawn once with numpy; the JSON stores the counts, so no generator is shared."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        total = int(rng.poisson(rps * 60))
        nc = int(rng.binomial(total, share))
        p = min(1.0, rate * math.exp(0.5 * rng.standard_normal() - 0.125))
        pc = min(1.0, (ratio if i >= onset else 1.0) * p)
        out.append(bucket(int(rng.binomial(nc, pc)), nc, int(rng.binomial(total - nc, p)), total - nc))
    return out


def cases():
    default = {"maxRatio": 1, "alpha": 0.01}
    return [
        {"name": "no buckets", "params": default, "buckets": []},
        {"name": "one balanced bucket", "params": default, "buckets": [bucket(1, 100, 9, 900)]},
        {"name": "uninformative buckets only", "params": default,
         "buckets": [bucket(0, 0, 5, 900), bucket(3, 100, 0, 0), bucket(0, 120, 0, 880), bucket(0, 0, 0, 0)]},
        {"name": "uninformative buckets interleaved", "params": default,
         "buckets": [bucket(2, 100, 7, 900), bucket(0, 0, 4, 900), bucket(0, 110, 0, 890),
                     bucket(3, 95, 6, 905), bucket(5, 100, 0, 0), bucket(4, 100, 8, 900)]},
        {"name": "A/A 40 buckets at 20 req/s", "params": default, "buckets": simulated(11, 40, 20, 1.0)},
        {"name": "2x 30 buckets at 50 req/s", "params": default, "buckets": simulated(12, 30, 50, 2.0)},
        {"name": "1.5x 20 buckets at 500 req/s", "params": default, "buckets": simulated(13, 20, 500, 1.5)},
        {"name": "10x hard failure at 100 req/s", "params": default, "buckets": simulated(14, 3, 100, 10.0)},
        {"name": "10x from bucket 11 at 100 req/s", "params": default,
         "buckets": simulated(15, 13, 100, 10.0, onset=10)},
        {"name": "20% canary errors", "params": default,
         "buckets": [bucket(55, 300, 6, 2700), bucket(61, 290, 4, 2710)]},
        {"name": "only canary errors", "params": default, "buckets": [bucket(3, 100, 0, 900), bucket(2, 100, 0, 900)]},
        {"name": "only control errors", "params": default, "buckets": [bucket(0, 100, 9, 900), bucket(0, 100, 12, 900)]},
        {"name": "better canary, many errors", "params": default, "buckets": simulated(16, 30, 500, 0.5)},
        {"name": "maxRatio 1.5, true 2x", "params": {"maxRatio": 1.5, "alpha": 0.01},
         "buckets": simulated(17, 30, 100, 2.0)},
        {"name": "maxRatio 0.8", "params": {"maxRatio": 0.8, "alpha": 0.01}, "buckets": simulated(18, 10, 100, 1.0)},
        {"name": "alpha 0.05", "params": {"maxRatio": 1, "alpha": 0.05}, "buckets": simulated(19, 15, 50, 2.0)},
        {"name": "no late component, no tail",
         "params": {"maxRatio": 1, "alpha": 0.01,
                    "prior": {"centre": 2.0, "spread": 0.3, "tail": 0.0, "late": 0.0, "lateFrom": 3, "lateScale": 10}},
         "buckets": simulated(20, 12, 100, 2.0)},
        {"name": "heavy late component from 1.05",
         "params": {"maxRatio": 1, "alpha": 0.01,
                    "prior": {"centre": 1.3, "spread": 0.8, "tail": 0.5, "late": 0.6, "lateFrom": 1.05, "lateScale": 2.5}},
         "buckets": simulated(21, 12, 100, 3.0, onset=6)},
        {"name": "plain start law (lateScale 0), 10x from bucket 9",
         "params": {"maxRatio": 1, "alpha": 0.01,
                    "prior": {"centre": 1.75, "spread": 0.2, "tail": 0.15, "late": 0.3, "lateFrom": 4, "lateScale": 0}},
         "buckets": simulated(22, 11, 100, 10.0, onset=8)},
        {"name": "the even late law of an older prior, 10x from bucket 9",
         "params": {"maxRatio": 1, "alpha": 0.01, "prior": EVEN_LATE_PRIOR},
         "buckets": simulated(23, 11, 100, 10.0, onset=8)},
        {"name": "cut at a 30-bucket horizon, 10x from bucket 11",
         "params": {"maxRatio": 1, "alpha": 0.01, "prior": {**DEFAULT_PRIOR, "horizon": 30}},
         "buckets": simulated(15, 13, 100, 10.0, onset=10)},
        {"name": "cut at horizon 4, run past it, 10x from bucket 3",
         "params": {"maxRatio": 1, "alpha": 0.01, "prior": {**DEFAULT_PRIOR, "horizon": 4}},
         "buckets": simulated(24, 8, 100, 10.0, onset=2)},
        {"name": "cut at horizon 2, late bump from 1.05, 3x from bucket 2",
         "params": {"maxRatio": 1, "alpha": 0.01,
                    "prior": {"centre": 1.3, "spread": 0.8, "tail": 0.5, "late": 0.6, "lateFrom": 1.05, "lateScale": 0,
                              "lateCentre": 2, "lateSpread": 1.2, "horizon": 2}},
         "buckets": simulated(25, 6, 100, 3.0, onset=1)},
        {"name": "varying canary share", "params": default,
         "buckets": [bucket(1, 50, 20, 950), bucket(4, 200, 15, 800), bucket(9, 500, 8, 500), bucket(2, 100, 11, 900)]},
        {"name": "estimate beyond the grid", "params": default, "buckets": [bucket(50, 10, 1, 9990)]},
        {"name": "large counts (incident at high traffic)", "params": default,
         "buckets": [bucket(2050, 30000, 18100, 270000), bucket(1900, 30000, 17800, 270000)]},
    ]


def encode(value):
    """JSON without Infinity/NaN: infinities become the strings "Infinity" / "-Infinity"."""
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write here instead of stdout")
    args = parser.parse_args()
    early, late = weights(DEFAULT_PRIOR)
    result = {
        "generatedBy": "scripts/reference/sequential-reference.py",
        "defaultPrior": DEFAULT_PRIOR,
        "defaultWeights": {"early": early.tolist(), "late": late.tolist()},
        "cases": [run_case(c) for c in cases()],
    }
    text = json.dumps(encode(result), indent=1, allow_nan=False) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
        # The repository's formatter owns the committed file's layout (`npm run lint` checks it).
        formatted = subprocess.run(["npx", "--no-install", "biome", "format", "--write", args.out], capture_output=True)
        if formatted.returncode != 0:
            print(f"note: could not run biome; run `npx biome format --write {args.out}`", file=sys.stderr)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
