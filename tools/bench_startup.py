#!/usr/bin/env python
"""What every user of the command line feels, measured as whole processes: `--help`, pricing the test set, and the
service's start-up, with each model's artifact size and load time.

    python tools/bench_startup.py [--models blend hgb] [--runs 5] [--keep DIR] [--json FILE]

Each model is trained once on the embedded training data and saved as a .skops file (kept, and reused, with
--keep). Then, --runs times each, in fresh processes of the installed `housepricer`:

- `housepricer --help` (wall time; and, once, which of the heavy libraries, `HEAVY`, it imported: none, since issue 13);
- `housepricer predict --model FILE --out CSV`, the 1,459 houses of the embedded test set (wall time, peak RSS sampled
  as `bench_predict.py` does);
- `housepricer serve --model FILE --port 0` until it prints the line that says where it listens and answers
  `/health` (wall time), then Ctrl-C;
- loading the artifact in this process (`load_artifact`).

Medians are printed in a Markdown table, with the machine's core count and load average (from /proc/loadavg):
other work on the machine changes the figures, so compare runs made together.
"""
import argparse, json, os, platform, signal, statistics, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

from bench_predict import measure  # one way to time a command and sample its peak RSS
from bench_serve import start_server  # one way to start the service and wait until it listens
from housepricer.data import load_data
from housepricer.models import train
from housepricer.registry import load_artifact, save_artifact

HOUSEPRICER = str(Path(sys.executable).parent / 'housepricer')
HEAVY = ('pandas', 'numpy', 'sklearn', 'scipy', 'skops', 'lightgbm', 'pyarrow')


def heavy_imports_of_help() -> list:
    "Which of `HEAVY` the command line imports to print its `--help`."
    probe = ('import sys\nfrom housepricer.cli import main\ntry: main(["--help"])\nexcept SystemExit: pass\n'
             f'print("imported:", *[m for m in {HEAVY!r} if m in sys.modules])')
    out = subprocess.run([sys.executable, '-c', probe], capture_output=True, text=True, check=True).stdout.splitlines()
    return out[-1].split()[1:]  # the help comes first; the last line is the probe's


def serve_ready(artifact: Path, log: Path) -> float:
    "Seconds from starting `housepricer serve` until it listens and `/health` answers 200."
    start = time.perf_counter()
    server, port, _ = start_server(artifact, log)
    try:
        with urllib.request.urlopen(f'http://127.0.0.1:{port}/health', timeout=60) as answer: assert answer.status == 200
        return time.perf_counter() - start
    finally:
        server.send_signal(signal.SIGINT)
        try: server.wait(timeout=30)
        except subprocess.TimeoutExpired: server.kill()


def median(values) -> float: return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--models', nargs='+', default=['blend', 'hgb'], help='models to measure (default: blend hgb)')
    parser.add_argument('--runs', type=int, default=5, help='runs of each measurement; medians are shown (default: 5)')
    parser.add_argument('--keep', metavar='DIR', help='keep the trained artifacts in DIR, and reuse those already there')
    parser.add_argument('--json', metavar='FILE', help='also write the rows as JSON')
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp())

    helps = [measure([HOUSEPRICER, '--help'])['seconds'] for _ in range(args.runs)]
    heavy = heavy_imports_of_help()
    rows = []
    for name in args.models:
        artifact = folder / f'{name}.skops'
        if not artifact.exists(): save_artifact(train(load_data(), name), artifact)
        loads = []
        for _ in range(args.runs):
            start = time.perf_counter()
            load_artifact(artifact)
            loads.append(time.perf_counter() - start)
        predicts = [measure([HOUSEPRICER, 'predict', '--model', str(artifact), '--out', str(work / 'prices.csv')]) for _ in range(args.runs)]
        starts = [serve_ready(artifact, work / 'serve.log') for _ in range(args.runs)]
        rows.append(dict(model=name, artifact_mb=round(artifact.stat().st_size / 2**20, 1), load_s=round(median(loads), 2),
                         help_s=round(median(helps), 2), help_imports=heavy, predict_s=round(median(p['seconds'] for p in predicts), 2),
                         predict_peak_mb=round(median(p['peak_rss_mb'] for p in predicts)), serve_ready_s=round(median(starts), 2)))

    load_average = open('/proc/loadavg').read().split()[:3] if Path('/proc/loadavg').exists() else ['?'] * 3
    print(f'{os.cpu_count()} cores, {platform.python_version()}, load average {" ".join(load_average)}; medians of {args.runs} runs\n')
    print('| model | artifact | load | `--help` | `--help` imports | `predict` test set | its peak RSS | `serve` ready |')
    print('|---|---|---|---|---|---|---|---|')
    for r in rows:
        print(f'| {r["model"]} | {r["artifact_mb"]} MB | {r["load_s"]} s | {r["help_s"]} s | {", ".join(r["help_imports"]) or "none of them"} '
              f'| {r["predict_s"]} s | {r["predict_peak_mb"]} MB | {r["serve_ready_s"]} s |')
    if args.json: Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == '__main__':
    sys.exit(main())
