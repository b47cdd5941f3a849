#!/usr/bin/env python
"""Benchmark `housepricer predict`: rows/s and peak memory for N generated houses, per model and engine.

    python tools/bench_predict.py [--rows 10000 100000 1000000] [--models seed-rf hgb linear blend]
                                  [--engines local dask] [--chunksize N] [--keep DIR] [--json FILE] [--max-rss-mb MB]

Houses are the embedded test set's rows drawn with replacement, with new unique Ids, written once per N
as CSV (for the local engine) and as a Parquet dataset of 8 files (for the Dask engine). Each model is
trained once on the embedded training data and saved as a .skops file. Each run is the installed
`housepricer predict` command in a fresh process, CSV -> CSV for the local engine and Parquet folder ->
Parquet folder for Dask (a local cluster of 2 worker processes). Peak RSS is sampled every 50 ms and
summed over the command and all its child processes (the Dask scheduler and workers), so it is the
machine's memory that the run needed. Prints a Markdown table; --json writes the rows too.
"""
import argparse, json, os, platform, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np
import psutil

from housepricer.data import load_data, load_test
from housepricer.models import train
from housepricer.registry import save_artifact


def houses(n: int, seed: int = 0):
    "`n` rows of the test set drawn with replacement, with Ids 1..n."
    test = load_test()
    rows = test.iloc[np.random.default_rng(seed).integers(0, len(test), n)].reset_index(drop=True)
    return rows.assign(Id=np.arange(1, n + 1))


def measure(argv: list) -> dict:
    "Run `argv`; its wall time, exit code and the peak of the summed RSS of it and its descendants."
    start, peak = time.perf_counter(), 0
    proc = psutil.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while proc.poll() is None:
        try:
            tree = [proc] + proc.children(recursive=True)
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error: pass
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    err = proc.stderr.read()
    if proc.returncode: sys.exit(f'failed: {" ".join(argv)}\n{err}')
    return dict(seconds=seconds, peak_rss_mb=peak / 2**20)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rows', type=int, nargs='+', default=[10_000, 100_000, 1_000_000])
    parser.add_argument('--models', nargs='+', default=['seed-rf', 'hgb', 'linear', 'blend'])
    parser.add_argument('--engines', nargs='+', default=['local', 'dask'], choices=['local', 'dask'])
    parser.add_argument('--chunksize', type=int)
    parser.add_argument('--keep', help='folder for the generated files (default: a temporary one)')
    parser.add_argument('--json', help='also write the results to this file')
    parser.add_argument('--max-rss-mb', type=float, help='exit 1 if any run needs more memory than this (a CI guard)')
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix='bench-predict-'))
    work.mkdir(parents=True, exist_ok=True)
    command = str(Path(sys.executable).parent / 'housepricer')
    print(f'machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, '
          f'{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}; files in {work}', file=sys.stderr)
    models = {}
    for name in args.models:
        models[name] = work / f'{name}.skops'
        if not models[name].exists(): save_artifact(train(load_data(), name), models[name])
    results = []
    for n in args.rows:
        csv, dataset = work / f'houses-{n}.csv', work / f'houses-{n}'
        if not csv.exists(): houses(n).to_csv(csv, index=False)
        if 'dask' in args.engines and not dataset.exists():
            import dask.dataframe as dd
            dd.from_pandas(houses(n), npartitions=8).to_parquet(dataset)
        for name, artifact in models.items():
            for engine in args.engines:
                if engine == 'local':
                    extra = ['--chunksize', str(args.chunksize)] if args.chunksize else []
                    argv = [command, 'predict', str(csv), '--model', str(artifact), '--out', str(work / 'out.csv'), *extra]
                else:
                    argv = [command, 'predict', str(dataset), '--engine', 'dask', '--model', str(artifact), '--out', str(work / 'out')]
                result = dict(model=name, engine=engine, rows=n, **measure(argv))
                result['rows_per_second'] = n / result['seconds']
                results.append(result)
                print(f'{name:8} {engine:5} {n:>9,} rows  {result["seconds"]:7.1f} s  {result["rows_per_second"]:>9,.0f} rows/s  '
                      f'peak RSS {result["peak_rss_mb"]:6.0f} MB', file=sys.stderr, flush=True)
    print('\n| model | engine | rows | seconds | rows/s | peak RSS (MB) |\n|---|---|---|---|---|---|')
    for r in results:
        print(f'| {r["model"]} | {r["engine"]} | {r["rows"]:,} | {r["seconds"]:.1f} | {r["rows_per_second"]:,.0f} | {r["peak_rss_mb"]:.0f} |')
    if args.json: Path(args.json).write_text(json.dumps(results, indent=1))
    over = [r for r in results if args.max_rss_mb and r['peak_rss_mb'] > args.max_rss_mb]
    if over: sys.exit(f'peak RSS over {args.max_rss_mb:.0f} MB: ' + ', '.join(f'{r["model"]} {r["engine"]} {r["rows"]:,} rows' for r in over))


if __name__ == '__main__': main()
