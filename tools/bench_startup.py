#!/usr/bin/env python
"""What every user of the command line feels, measured as whole processes: `--help`, pricing the test set, and the
service's start-up, with each model's artifact size and load time.

    python tools/bench_startup.py [--models linear-lgbm blend] [--runs 5] [--keep DIR] [--json FILE] [--baseline DIR]

Each model (by default `linear-lgbm`, the default model, and `blend`, the default before it) is trained once on the
embedded training data and saved as a .skops file (kept, and reused, with --keep). Then, --runs times each, in fresh
processes of the installed `housepricer`:

- `housepricer --help` (wall time; and, once, which of the heavy libraries it imported);
- `housepricer predict --model FILE --out CSV`, the 1,459 houses of the embedded test set (wall time, peak RSS sampled
  as `bench_predict.py` does);
- `housepricer serve --model FILE` until it answers `/health` (wall time), started and stopped (Ctrl-C) by
  `housepricer.server.running_server`, as the tests, `bench_serve.py` and CI start it;
- loading the artifact (`load_artifact`, timed inside a fresh process, imports excluded).

To compare a change with the code before it, --baseline DIR runs the same measurements with the housepricer package
in DIR (its own trained artifacts; a model it does not know is measured with this package alone), alternately with
this package's, run by run, so that both meet the same load on a shared machine.

Medians are printed in a Markdown table, with the machine's core count and load average (from /proc/loadavg):
other work on the machine changes the figures, so compare runs made together.
"""
import argparse, json, os, platform, statistics, subprocess, sys, tempfile, time
from pathlib import Path

from bench_predict import measure  # one way to time a command and sample its peak RSS
from bench_serve import saved_model, with_package  # one way to train a model, and to run another housepricer
from housepricer.server import running_server  # one way to start the service and wait until it answers

HOUSEPRICER = str(Path(sys.executable).parent / 'housepricer')
HEAVY = ('pandas', 'numpy', 'sklearn', 'scipy', 'skops', 'lightgbm', 'pyarrow')


def heavy_imports_of_help(package: str | None = None) -> list:
    "Which of `HEAVY` the command line (of the housepricer in folder `package`, if given) imports to print its `--help`."
    probe = ('import sys\nfrom housepricer.cli import main\ntry: main(["--help"])\nexcept SystemExit: pass\n'
             f'print("imported:", *[m for m in {HEAVY!r} if m in sys.modules])')
    out = subprocess.run([sys.executable, '-c', probe], capture_output=True, text=True, check=True, env=with_package(package)).stdout.splitlines()
    return out[-1].split()[1:]  # the help comes first; the last line is the probe's


def serve_ready(artifact: Path, log: Path, package: str | None = None) -> float:
    "Seconds from starting `housepricer serve` (of the housepricer in folder `package`, if given) until it listens and `/health` answers 200."
    start = time.perf_counter()
    with running_server('--model', str(artifact), log=log, env=with_package(package)): return time.perf_counter() - start


def load_seconds(artifact: Path, package: str | None = None) -> float:
    "Seconds `load_artifact` takes for `artifact` in a fresh process (of the housepricer in folder `package`, if given), its imports done first."
    probe = ('import sys, time\nfrom housepricer.artifact import load_artifact\nstart = time.perf_counter()\n'
             f'load_artifact({str(artifact)!r})\nprint(time.perf_counter() - start)')
    return float(subprocess.run([sys.executable, '-c', probe], capture_output=True, text=True, check=True, env=with_package(package)).stdout.split()[-1])


def median(values) -> float: return statistics.median(values)


def measured(name: str, artifact: Path, work: Path, package: str | None) -> dict:
    "One run of each measurement of model `name` (saved as `artifact`) with the housepricer in folder `package` (this one if `None`)."
    env = with_package(package)
    return dict(help=measure([HOUSEPRICER, '--help'], env)['seconds'], load=load_seconds(artifact, package),
                predict=measure([HOUSEPRICER, 'predict', '--model', str(artifact), '--out', str(work / 'prices.csv')], env),
                serve=serve_ready(artifact, work / 'serve.log', package))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--models', nargs='+', default=['linear-lgbm', 'blend'], help='models to measure (default: linear-lgbm blend)')
    parser.add_argument('--runs', type=int, default=5, help='runs of each measurement; medians are shown (default: 5)')
    parser.add_argument('--keep', metavar='DIR', help='keep the trained artifacts in DIR, and reuse those already there')
    parser.add_argument('--json', metavar='FILE', help='also write the rows as JSON')
    parser.add_argument('--baseline', metavar='DIR', help='also measure the housepricer package in this folder, alternately (rows marked baseline)')
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp())
    packages = {'this': None, **({'baseline': str(Path(args.baseline).resolve())} if args.baseline else {})}

    variants = [(label, name, folder / f'{name}-{label}.skops') for name in args.models for label in packages]
    variants = [(label, name, artifact) for label, name, artifact in variants if saved_model(name, artifact, packages[label])]
    runs = {variant[:2]: [] for variant in variants}
    for _ in range(args.runs):
        for label, name, artifact in variants: runs[(label, name)].append(measured(name, artifact, work, packages[label]))
    rows = []
    for label, name, artifact in variants:
        done = runs[(label, name)]
        rows.append(dict(package=label, model=name, artifact_mb=round(artifact.stat().st_size / 2**20, 1),
                         load_s=round(median(r['load'] for r in done), 2), help_s=round(median(r['help'] for r in done), 2),
                         help_imports=heavy_imports_of_help(packages[label]), predict_s=round(median(r['predict']['seconds'] for r in done), 2),
                         predict_peak_mb=round(median(r['predict']['peak_rss_mb'] for r in done)), serve_ready_s=round(median(r['serve'] for r in done), 2)))

    load_average = open('/proc/loadavg').read().split()[:3] if Path('/proc/loadavg').exists() else ['?'] * 3
    print(f'{os.cpu_count()} cores, {platform.python_version()}, load average {" ".join(load_average)}; medians of {args.runs} runs\n')
    print('| package | model | artifact | load | `--help` | `--help` imports | `predict` test set | its peak RSS | `serve` ready |')
    print('|---|---|---|---|---|---|---|---|---|')
    for r in rows:
        print(f'| {r["package"]} | {r["model"]} | {r["artifact_mb"]} MB | {r["load_s"]} s | {r["help_s"]} s | {", ".join(r["help_imports"]) or "none of them"} '
              f'| {r["predict_s"]} s | {r["predict_peak_mb"]} MB | {r["serve_ready_s"]} s |')
    if args.json: Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == '__main__':
    sys.exit(main())
