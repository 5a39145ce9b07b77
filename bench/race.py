"""Race eigenformer against PyTorch on the same CPU, side by side, and print one table.

For each config and thread count, the two sides run alternately, `--rounds` times
each, every run in its own process (so each side's peak memory is its own); a run
reports the median time of its timed steps (warm-up excluded) and the table shows
the median over rounds. The machine is shared and noisy: compare the ratios, not
the absolute figures.

PyTorch gets its best setting for each thread count (BENCHMARKS.md): 1 thread is
torch.set_num_threads(1) with OPENBLAS_NUM_THREADS=1; for 2 threads both
OMP_WAIT_POLICY=PASSIVE with 2 torch threads and 1 torch thread over 2 OpenBLAS
threads are tried and the faster one is kept.

With --baseline (a race_step built from an earlier commit: bench/race.sh --baseline-commit
REV builds one), that build runs in the same rounds too, alternated with the others, and
the table adds its figures and the change: the way to show a change costs no speed.

A second table races generation at the small config, batch 1, 8 and 32 (each row its own
sequence, greedy, KV cache, 127 new tokens): the chat engine (model/engine.hpp), a plain-loop
decoder of the same model in the manner of llama2.c (bench/plain_decoder.hpp), and PyTorch.

usage: /usr/bin/python3 bench/race.py --race-step build-bench/bench/race_step [--threads 1 2] [--rounds 3]
                                      [--baseline build-baseline/bench/race_step] [--batches 1 8 32]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PEAK_GFLOPS_PER_CORE = 116.0  # fp32 FMA peak of one core of this machine (BENCHMARKS.md)

WORKLOADS = [("tiny", "train"), ("small", "train"), ("gpt2-mini", "train"), ("scaling", "train"),
             ("small", "generate"), ("small", "generate-uncached")]


def run(command, environment):
    """Runs one side once; returns its JSON report with the process's peak memory (MiB) added."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env={**os.environ, **environment}, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read()
    if status != 0:
        sys.exit(f"race: {' '.join(command)} failed with status {status}")
    report = json.loads(output.strip().splitlines()[-1])
    report["max_rss_mib"] = usage.ru_maxrss / 1024
    return report


def settings(threads):
    """(label, environment, torch --threads) for each setting PyTorch is tried with."""
    if threads == 1:
        return [("1 torch thread, OpenBLAS 1", {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}, 1)]
    n = str(threads)
    return [(f"{n} torch threads, OMP_WAIT_POLICY=PASSIVE, OpenBLAS {n}",
             {"OPENBLAS_NUM_THREADS": n, "OMP_WAIT_POLICY": "PASSIVE"}, threads),
            (f"1 torch thread, OpenBLAS {n}", {"OPENBLAS_NUM_THREADS": n, "OMP_NUM_THREADS": "1"}, 1)]


def race(race_step, baseline, config, mode, threads, rounds, repeats):
    ours, before, theirs = [], [], {label: [] for label, _, _ in settings(threads)}
    ours_environment = {"OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_NUM_THREADS": str(threads)}
    for _ in range(rounds):
        for program, reports in [(race_step, ours)] + ([(baseline, before)] if baseline else []):
            reports.append(run([program, "--config", config, "--threads", str(threads), "--mode", mode,
                                "--repeats", str(repeats)], ours_environment))
        for label, environment, torch_threads in settings(threads):
            theirs[label].append(run([sys.executable, os.path.join(HERE, "race_torch.py"), "--config", config,
                                      "--threads", str(torch_threads), "--mode", mode, "--repeats", str(repeats)],
                                     environment))
    best = max(theirs, key=lambda label: statistics.median(r["tokens_per_s"] for r in theirs[label]))
    return ours, before, theirs[best], best


def race_generation(race_step, threads, batch, rounds, repeats):
    """Median tokens/s of the engine, the plain loop and PyTorch (its best setting), alternated."""
    sides = {"engine": [], "plain": []}
    theirs = {label: [] for label, _, _ in settings(threads)}
    ours_environment = {"OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_NUM_THREADS": str(threads)}
    for _ in range(rounds):
        for mode, reports in sides.items():
            reports.append(run([race_step, "--config", "small", "--threads", str(threads), "--mode", mode,
                                "--batch", str(batch), "--repeats", str(repeats)], ours_environment))
        for label, environment, torch_threads in settings(threads):
            theirs[label].append(run([sys.executable, os.path.join(HERE, "race_torch.py"), "--config", "small",
                                      "--threads", str(torch_threads), "--mode", "generate", "--batch", str(batch),
                                      "--repeats", str(repeats)], environment))
    if {r["last"] for r in sides["engine"] + sides["plain"]} != {sides["engine"][0]["last"]}:
        sys.exit("race: the engine and the plain decoder generated different tokens from the same weights")
    best = max(theirs, key=lambda label: median_of(theirs[label], "tokens_per_s"))
    return {"threads": threads, "batch": batch, "engine_tokens_per_s": median_of(sides["engine"], "tokens_per_s"),
            "plain_tokens_per_s": median_of(sides["plain"], "tokens_per_s"),
            "pytorch_tokens_per_s": median_of(theirs[best], "tokens_per_s"), "pytorch_setting": best}


def median_of(reports, key):
    return statistics.median(r[key] for r in reports)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--race-step", required=True, help="path of the built bench/race_step program")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10, help="timed steps per run")
    parser.add_argument("--only", nargs="*", help="configs to run (default: all)")
    parser.add_argument("--baseline", help="a race_step built from an earlier commit, raced in the same rounds")
    parser.add_argument("--batches", type=int, nargs="*", default=[1, 8, 32],
                        help="generation batch sizes for the second table (none: skip it)")
    args = parser.parse_args()

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(f"CPU: {cpu}, {os.cpu_count()} logical cores; fp32 peak {PEAK_GFLOPS_PER_CORE:.0f} GFLOP/s per core")
    rows = []
    for threads in args.threads:
        for config, mode in WORKLOADS:
            if args.only and config not in args.only:
                continue
            ours, before, theirs, setting = race(args.race_step, args.baseline, config, mode, threads, args.rounds,
                                                 args.repeats)
            row = {"threads": threads, "config": config, "mode": mode,
                   "eigenformer_tokens_per_s": median_of(ours, "tokens_per_s"),
                   "pytorch_tokens_per_s": median_of(theirs, "tokens_per_s"),
                   "eigenformer_max_rss_mib": max(r["max_rss_mib"] for r in ours),
                   "pytorch_max_rss_mib": max(r["max_rss_mib"] for r in theirs),
                   "gflops": median_of(ours, "gflops"), "pytorch_setting": setting,
                   "eigenformer_blas": ours[0]["blas"], "pytorch_blas": theirs[0]["blas"],
                   "torch": theirs[0]["torch"]}
            row["ratio"] = row["eigenformer_tokens_per_s"] / row["pytorch_tokens_per_s"]
            if before:
                row["baseline_tokens_per_s"] = median_of(before, "tokens_per_s")
                row["baseline_ratio"] = row["baseline_tokens_per_s"] / row["pytorch_tokens_per_s"]
            row["peak_fraction"] = row["gflops"] / (PEAK_GFLOPS_PER_CORE * threads)
            rows.append(row)
            print(f"  measured {config} {mode}, {threads} thread(s): ratio {row['ratio']:.2f}", file=sys.stderr)

    print(f"eigenformer: {rows[0]['eigenformer_blas']}, OMP_WAIT_POLICY=PASSIVE, OPENBLAS_NUM_THREADS = threads")
    print(f"PyTorch {rows[0]['torch']} (BLAS: {rows[0]['pytorch_blas']}): its best setting per row, listed below")
    print()
    baseline = " baseline tok/s | baseline ratio | change |" if args.baseline else ""
    print("| threads | config | workload | eigenformer tok/s | PyTorch tok/s | ratio | our % of peak | "
          "max RSS ours / PyTorch (MiB) |" + baseline)
    print("|---|---|---|---|---|---|---|---|" + ("---|---|---|" if args.baseline else ""))
    for r in rows:
        peak = f"{100 * r['peak_fraction']:.0f}%" if r["mode"] == "train" else "-"
        before = (f" {r['baseline_tokens_per_s']:,.0f} | {r['baseline_ratio']:.2f}x | "
                  f"{100 * (r['ratio'] / r['baseline_ratio'] - 1):+.1f}% |" if args.baseline else "")
        print(f"| {r['threads']} | {r['config']} | {r['mode']} | {r['eigenformer_tokens_per_s']:,.0f} | "
              f"{r['pytorch_tokens_per_s']:,.0f} | {r['ratio']:.2f}x | {peak} | "
              f"{r['eigenformer_max_rss_mib']:.0f} / {r['pytorch_max_rss_mib']:.0f} |" + before)
    print()
    for r in rows:
        if r["threads"] > 1:
            print(f"PyTorch setting, {r['threads']} threads, {r['config']} {r['mode']}: {r['pytorch_setting']}")
    generation = []
    for threads in args.threads:
        for batch in args.batches if not args.only or "small" in args.only else []:
            generation.append(race_generation(args.race_step, threads, batch, args.rounds, args.repeats))
            print(f"  measured generation, batch {batch}, {threads} thread(s)", file=sys.stderr)
    if generation:
        print()
        print("Generation, small config, greedy with the KV cache, 127 new tokens per row (tokens/s over all rows):")
        print()
        print("| threads | batch | engine | plain loop | PyTorch | engine / plain loop | engine / PyTorch |")
        print("|---|---|---|---|---|---|---|")
        for g in generation:
            print(f"| {g['threads']} | {g['batch']} | {g['engine_tokens_per_s']:,.0f} | {g['plain_tokens_per_s']:,.0f} | "
                  f"{g['pytorch_tokens_per_s']:,.0f} | {g['engine_tokens_per_s'] / g['plain_tokens_per_s']:.2f}x | "
                  f"{g['engine_tokens_per_s'] / g['pytorch_tokens_per_s']:.2f}x |")
    with open("race.json", "w") as f:
        json.dump({"training_and_generate": rows, "generation": generation}, f, indent=1)
    print("(all figures in race.json)")


if __name__ == "__main__":
    main()
