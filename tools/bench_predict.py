#!/usr/bin/env python
"""Benchmark `housepricer predict`: houses/s and peak memory for N generated houses, per model, engine and number of jobs.

    python tools/bench_predict.py [--rows 10000 100000 1000000] [--models linear-lgbm blend] [--jobs 1 2]
                                  [--engines local dask] [--chunksize N] [--rounds N]
                                  [--baseline DIR [--baseline-models NAME ...]] [--keep DIR] [--json FILE] [--max-rss-mb MB]

Houses are the embedded test set's rows drawn with replacement, with new unique Ids, written once per N
as CSV (for the local engine) and as a Parquet dataset of 8 files (for the Dask engine). Each model is
trained once on the embedded training data, by the code that will price with it, and saved as a .skops
file (kept, and reused, with --keep). Each run is the installed `housepricer predict` command in a fresh
process: CSV -> CSV for the local engine, with `--jobs N` for each N of --jobs (without --jobs, once,
with the command's default, shown as "default"); Parquet folder -> Parquet folder for Dask (a local
cluster of 2 worker processes; --jobs does not apply). Peak RSS is sampled every 50 ms and summed over
the command and all its child processes (the Dask scheduler and workers), so it is the machine's memory
that the run needed; CPU seconds (user and system) are the command's, which other work on the machine
changes less than the wall time. The environment is passed on as it is: OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS are printed first, so set or unset them deliberately.

To compare a change with the code before it, --baseline DIR also runs the models (or --baseline-models)
with the housepricer package in DIR (for example `git archive main housepricer | tar -x -C DIR`); a
model that code does not know, or cannot load, is left out, and if its `predict` has no `--jobs`, it
runs once per size, as it is (the code before issue 13 prices with one job). --rounds N measures every variant N times, in turn (each
model, this code and the baseline, one job and more, then again), so that all meet the same load on a
shared machine. The table shows medians, with the load average (from /proc/loadavg) at the end of the
runs; --json writes every run; --max-rss-mb exits 1 if any run needs more memory than that (a CI guard).
"""
import argparse, json, os, platform, resource, statistics, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np
import psutil

from housepricer.data import load_test

HOUSEPRICER = str(Path(sys.executable).parent / 'housepricer')
TRAIN = ('import sys\nfrom housepricer.data import load_data\nfrom housepricer.models import train\n'
         'from housepricer.artifact import save_artifact\nsave_artifact(train(load_data(), sys.argv[1]), sys.argv[2])')
LOAD = 'import sys\nfrom housepricer.artifact import load_artifact\nload_artifact(sys.argv[1])'


def houses(n: int, seed: int = 0):
    "`n` rows of the test set drawn with replacement, with Ids 1..n."
    test = load_test()
    rows = test.iloc[np.random.default_rng(seed).integers(0, len(test), n)].reset_index(drop=True)
    return rows.assign(Id=np.arange(1, n + 1))


def measure(argv: list, env: dict | None = None) -> dict:
    "Run `argv` (with `env`, default this process's); its wall time, CPU time, and the peak of the summed RSS of it and its descendants."
    start, peak, used = time.perf_counter(), 0, resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = psutil.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    while proc.poll() is None:
        try:
            tree = [proc] + proc.children(recursive=True)
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error: pass
        time.sleep(0.05)
    seconds, now = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    err = proc.stderr.read()
    if proc.returncode: sys.exit(f'failed: {" ".join(argv)}\n{err}')
    cpu = now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime  # of the processes waited for: the command (and its children, if it waited for them)
    return dict(seconds=seconds, cpu_seconds=cpu, peak_rss_mb=peak / 2**20)


def environment(package: str | None) -> dict | None:
    "This process's environment, with the housepricer in folder `package` first on the path if given."
    return os.environ | {'PYTHONPATH': os.pathsep.join([package, os.environ.get('PYTHONPATH', '')])} if package else None


def probe(code: str, env: dict | None) -> str:
    "The standard output of Python running `code` with `env`."
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True, env=env).stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rows', type=int, nargs='+', default=[10_000, 100_000, 1_000_000])
    parser.add_argument('--models', nargs='+', default=['linear-lgbm', 'blend'], help='models to measure (default: linear-lgbm blend)')
    parser.add_argument('--jobs', type=int, nargs='+', help="values of `housepricer predict --jobs` (default: the command's own default, once)")
    parser.add_argument('--engines', nargs='+', default=['local', 'dask'], choices=['local', 'dask'])
    parser.add_argument('--chunksize', type=int)
    parser.add_argument('--rounds', type=int, default=1, help='measure every variant this many times, alternately; medians are shown (default: 1)')
    parser.add_argument('--baseline', metavar='DIR', help='also run with the housepricer package in this folder, to compare (rows marked baseline)')
    parser.add_argument('--baseline-models', nargs='+', metavar='NAME', help='the models the baseline runs (default: those of --models)')
    parser.add_argument('--keep', help='folder for the generated files and models, reused when there (default: a temporary one)')
    parser.add_argument('--json', help='also write every run to this file')
    parser.add_argument('--max-rss-mb', type=float, help='exit 1 if any run needs more memory than this (a CI guard)')
    args = parser.parse_args()
    if args.baseline and not (Path(args.baseline) / 'housepricer' / '__init__.py').exists(): sys.exit(f'{args.baseline}: no housepricer package in it')
    work = Path(args.keep or tempfile.mkdtemp(prefix='bench-predict-'))
    work.mkdir(parents=True, exist_ok=True)
    print(f'machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), '
          f'{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}; '
          f'OMP_NUM_THREADS={os.environ.get("OMP_NUM_THREADS", "unset")}, OPENBLAS_NUM_THREADS={os.environ.get("OPENBLAS_NUM_THREADS", "unset")}; '
          f'files in {work}', file=sys.stderr)
    codes = {'this': None} | ({'baseline': str(Path(args.baseline).resolve())} if args.baseline else {})
    artifacts, variants = {}, {}  # (code, model) -> file; code -> the --jobs values it runs with (None: without the option)
    for code, package in codes.items():
        env = environment(package)
        known = probe('from housepricer.models import MODELS; print(" ".join(MODELS))', env).split()
        has_jobs = '--jobs' in subprocess.run([HOUSEPRICER, 'predict', '--help'], capture_output=True, text=True, env=env).stdout
        if args.jobs and not has_jobs: print(f'{code}: housepricer predict has no --jobs; it runs once, as it is', file=sys.stderr)
        variants[code] = args.jobs if args.jobs and has_jobs else [None]
        for name in args.baseline_models or args.models if code == 'baseline' else args.models:
            if name not in known:
                print(f'{code}: no model {name}, left out', file=sys.stderr)
                continue
            artifact = work / f'{code}-{name}.skops'
            if not artifact.exists():
                print(f'training {name} with {code} code', file=sys.stderr, flush=True)
                subprocess.run([sys.executable, '-c', TRAIN, name, str(artifact)], check=True, env=env)
            loading = subprocess.run([sys.executable, '-c', LOAD, str(artifact)], capture_output=True, text=True, env=env)
            if loading.returncode: print(f'{code}: cannot load its own {name}, left out: {loading.stderr.strip().splitlines()[-1]}', file=sys.stderr)
            else: artifacts[code, name] = artifact
    results = []
    for n in args.rows:
        csv, dataset = work / f'houses-{n}.csv', work / f'houses-{n}'
        if not csv.exists(): houses(n).to_csv(csv, index=False)
        if 'dask' in args.engines and not dataset.exists():
            import dask.dataframe as dd
            dd.from_pandas(houses(n), npartitions=8).to_parquet(dataset)
        for _ in range(args.rounds):
            for name in dict.fromkeys(args.models + (args.baseline_models or [])):
                for engine in args.engines:
                    for code, package in codes.items():
                        if (code, name) not in artifacts: continue
                        artifact = str(artifacts[code, name])
                        for jobs in variants[code] if engine == 'local' else [None]:
                            if engine == 'local':
                                extra = (['--chunksize', str(args.chunksize)] if args.chunksize else []) + (['--jobs', str(jobs)] if jobs else [])
                                argv = [HOUSEPRICER, 'predict', str(csv), '--model', artifact, '--out', str(work / 'out.csv'), *extra]
                            else:
                                argv = [HOUSEPRICER, 'predict', str(dataset), '--engine', 'dask', '--model', artifact, '--out', str(work / 'out')]
                            result = dict(model=name, code=code, engine=engine, jobs=jobs, rows=n, **measure(argv, environment(package)),
                                          load_average=os.getloadavg()[0])
                            result['rows_per_second'] = n / result['seconds']
                            results.append(result)
                            print(f'{name:11} {code:8} {engine:5} jobs {jobs or "default":7} {n:>9,} rows  {result["seconds"]:7.1f} s  '
                                  f'(CPU {result["cpu_seconds"]:6.1f} s)  {result["rows_per_second"]:>9,.0f} houses/s  peak RSS {result["peak_rss_mb"]:6.0f} MB  '
                                  f'load average {result["load_average"]:.1f}', file=sys.stderr, flush=True)
    print('\n| model | code | engine | jobs | rows | runs | seconds | CPU seconds | houses/s | peak RSS (MB) | load average |\n|---|---|---|---|---|---|---|---|---|---|---|')
    groups = {}
    for r in results: groups.setdefault((r['model'], r['code'], r['engine'], r['jobs'], r['rows']), []).append(r)
    for (name, code, engine, jobs, n), runs in groups.items():
        seconds = statistics.median(r['seconds'] for r in runs)
        print(f'| {name} | {code} | {engine} | {jobs or "default"} | {n:,} | {len(runs)} | {seconds:.1f} | {statistics.median(r["cpu_seconds"] for r in runs):.1f} | {n / seconds:,.0f} | '
              f'{statistics.median(r["peak_rss_mb"] for r in runs):.0f} | {statistics.median(r["load_average"] for r in runs):.1f} |')
    if args.json: Path(args.json).write_text(json.dumps(results, indent=1))
    over = [r for r in results if args.max_rss_mb and r['peak_rss_mb'] > args.max_rss_mb]
    if over: sys.exit(f'peak RSS over {args.max_rss_mb:.0f} MB: ' + ', '.join(f'{r["model"]} {r["code"]} {r["engine"]} {r["rows"]:,} rows' for r in over))


if __name__ == '__main__': main()
