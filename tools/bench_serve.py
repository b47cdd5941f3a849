#!/usr/bin/env python
"""Load benchmark of `housepricer serve` on loopback: requests/s and latency percentiles, per model and request size.

    python tools/bench_serve.py [--models linear-lgbm blend] [--houses 1 100] [--requests 2000] [--threads 8]
                                [--keep DIR] [--json FILE] [--max-seconds 600] [--baseline DIR [--rounds N]]

Each model (by default `linear-lgbm`, the default model, and `blend`, the default before it) is trained
once on the embedded training data and saved as a .skops file (kept, and reused, with --keep), then
served by the installed `housepricer serve --model FILE --port 0` in a process of its own, on 127.0.0.1
only; the seconds from starting it until it says where it listens are printed. For each request size, --requests requests of that many houses (rows of the embedded test
set, a different slice each time) are sent by --threads client threads, each on one keep-alive
connection, after a warm-up of one request per thread. A request counts as an error unless it gets a 200
with one price per house. The run is bounded: it stops sending after --max-seconds per request size.
The client runs on the same machine and takes its share of the CPU; the load average (from
/proc/loadavg) is printed with each row, since other work on the machine changes the figures. Prints a
Markdown table; --json writes the rows too; the exit code is 1 if any request failed.

To compare a change with the code before it, --baseline DIR also serves each model with the housepricer
package in DIR (for example `git archive main housepricer | tar -x -C DIR`), trained and saved by that
package (a model it does not know is served by this package alone), and --rounds N measures the two
servers N times each, alternately, so that both meet the same load on a shared machine. The
servers run with `housepricer serve`'s default limits: threads beyond its connection cap (see
`housepricer serve --help`) are refused.
"""
import argparse, http.client, json, os, platform, re, subprocess, sys, tempfile, threading, time
from pathlib import Path

import numpy as np

from housepricer.data import load_test


def start_server(artifact: Path, log: Path, package: str | None = None, required: bool = True) -> tuple | None:
    "`(process, port, seconds)`: `housepricer serve` for `artifact` on a free loopback port, once it says where it listens, and how long that took; with the housepricer in folder `package` if given. If it does not start: exit, or `None` if not `required`."
    command = [str(Path(sys.executable).parent / 'housepricer'), 'serve', '--model', str(artifact), '--port', '0']
    start = time.perf_counter()
    server = subprocess.Popen(command, stdout=log.open('w'), stderr=subprocess.STDOUT, env=with_package(package))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = re.search(r'at http://127\.0\.0\.1:(\d+)/ ', log.read_text())
        if found: return server, int(found[1]), time.perf_counter() - start
        if server.poll() is not None: break
        time.sleep(0.01)
    server.kill()
    server.wait()
    if required: sys.exit(f'housepricer serve did not start:\n{log.read_text()}')


def with_package(package: str | None) -> dict | None:
    "The environment for a process that imports the housepricer in folder `package`; `None` (this one's) if not given."
    return os.environ | {'PYTHONPATH': os.pathsep.join([package, os.environ.get('PYTHONPATH', '')])} if package else None


def saved_model(name: str, artifact: Path, package: str | None = None) -> bool:
    "Train model `name` on the embedded data and save it as `artifact` (unless it is there), with the housepricer in folder `package` if given; `False` if that package does not know the model."
    if artifact.exists(): return True
    print(f'training {name}' + (f' with {package}' if package else ''), file=sys.stderr, flush=True)
    script = ('import sys\nfrom housepricer.data import load_data\nfrom housepricer.models import MODELS, train\nfrom housepricer.registry import save_artifact\n'
              f'if {name!r} not in MODELS: sys.exit(3)\nsave_artifact(train(load_data(), {name!r}), {str(artifact)!r})')
    done = subprocess.run([sys.executable, '-c', script], env=with_package(package))
    if done.returncode == 3: return False
    if done.returncode: sys.exit(f'training {name} failed')
    return True


def bodies(size: int, count: int) -> list:
    "`count` JSON bodies of `size` houses each, cycling through the test set."
    houses = json.loads(load_test().to_json(orient='records'))
    return [json.dumps([houses[(i * size + j) % len(houses)] for j in range(size)]).encode() for i in range(count)]


def load(port: int, payloads: list, threads: int, size: int, max_seconds: float) -> dict:
    "Send `payloads` from `threads` threads; latencies in ms, errors, and wall time."
    latencies, errors, lock, next_index = [], [], threading.Lock(), iter(range(len(payloads)))
    deadline = time.monotonic() + max_seconds

    def client():
        connection = http.client.HTTPConnection('127.0.0.1', port, timeout=60)
        def post(body):
            connection.request('POST', '/predict', body, {'Content-Type': 'application/json'})
            response = connection.getresponse()
            answer = response.read()
            if response.status != 200 or len(json.loads(answer)['predictions']) != size: raise RuntimeError(f'{response.status}: {answer[:200]!r}')
        post(payloads[0])  # warm-up: the connection, and the server's first request on it
        barrier.wait()
        while time.monotonic() < deadline:
            with lock: i = next(next_index, None)
            if i is None: break
            start = time.perf_counter()
            try: post(payloads[i])
            except Exception as e:  # a failed request is counted, and the connection started anew
                with lock: errors.append(f'{type(e).__name__}: {e}')
                connection.close()
                connection = http.client.HTTPConnection('127.0.0.1', port, timeout=60)
                continue
            with lock: latencies.append((time.perf_counter() - start) * 1000)
        connection.close()

    barrier = threading.Barrier(threads + 1)
    workers = [threading.Thread(target=client) for _ in range(threads)]
    for w in workers: w.start()
    barrier.wait()
    start = time.perf_counter()
    for w in workers: w.join()
    return dict(latencies=latencies, errors=errors, seconds=time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--models', nargs='+', default=['linear-lgbm', 'blend'], help='models to serve (default: linear-lgbm blend)')
    parser.add_argument('--houses', type=int, nargs='+', default=[1, 100], help='houses per request')
    parser.add_argument('--requests', type=int, default=2000)
    parser.add_argument('--threads', type=int, default=8)
    parser.add_argument('--max-seconds', type=float, default=600, help='stop sending after this long, per model and request size')
    parser.add_argument('--keep', help='folder for the models and server logs (default: a temporary one)')
    parser.add_argument('--json', help='also write the results to this file')
    parser.add_argument('--baseline', metavar='DIR', help='also serve with the housepricer package in this folder, to compare (rows marked baseline)')
    parser.add_argument('--rounds', type=int, default=1, help='measure each server this many times, alternately (default: 1)')
    args = parser.parse_args()
    if args.baseline and not (Path(args.baseline) / 'housepricer' / '__init__.py').exists(): sys.exit(f'{args.baseline}: no housepricer package in it')
    work = Path(args.keep or tempfile.mkdtemp(prefix='bench-serve-'))
    work.mkdir(parents=True, exist_ok=True)
    print(f'machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; '
          f'files in {work}', file=sys.stderr)
    results = []
    for name in args.models:
        codes = {'this': None} | ({'baseline': str(Path(args.baseline).resolve())} if args.baseline else {})
        artifacts = {code: work / f'{name}-{code}.skops' for code in codes}
        codes = {code: package for code, package in codes.items() if saved_model(name, artifacts[code], package)}
        if 'baseline' in artifacts and 'baseline' not in codes: print(f'{name}: the baseline does not know this model; served by this package alone', file=sys.stderr)
        servers, listening = {}, {}
        try:
            for code, package in codes.items():
                started = start_server(artifacts[code], work / f'serve-{name}-{code}.log', package, required=code == 'this')
                if not started:
                    print(f'{name}: the baseline cannot serve it: {(work / f"serve-{name}-{code}.log").read_text().strip()[-300:]}', file=sys.stderr)
                    continue
                server, port, listening[code] = started
                servers[code] = server, port
                print(f'{name:11} {code:8} listening {listening[code]:.1f} s after it started', file=sys.stderr, flush=True)
            for size in args.houses:
                for _ in range(args.rounds):
                    for code, (_, port) in servers.items():
                        run = load(port, bodies(size, args.requests), args.threads, size, args.max_seconds)
                        ms = np.array(run['latencies'])
                        done = len(ms)
                        result = dict(model=name, code=code, houses=size, requests=done, threads=args.threads, seconds=run['seconds'],
                                      requests_per_second=done / run['seconds'], houses_per_second=done * size / run['seconds'],
                                      p50_ms=float(np.percentile(ms, 50)) if done else None, p99_ms=float(np.percentile(ms, 99)) if done else None,
                                      max_ms=float(ms.max()) if done else None, errors=len(run['errors']), load_average=os.getloadavg()[0],
                                      listening_s=listening[code])
                        results.append(result)
                        print(f'{name:11} {code:8} {size:4} houses/request: {done:,} requests in {run["seconds"]:.1f} s, '
                              f'{result["requests_per_second"]:,.0f} requests/s, p50 {result["p50_ms"] or 0:.0f} ms, p99 {result["p99_ms"] or 0:.0f} ms, '
                              f'{len(run["errors"])} errors, load average {result["load_average"]:.1f}', file=sys.stderr, flush=True)
                        for error in run['errors'][:3]: print(f'  {error}', file=sys.stderr)
        finally:
            for server, _ in servers.values():
                server.terminate()
                server.wait(timeout=60)
    print('\n| model | code | houses/request | requests | threads | requests/s | houses/s | p50 (ms) | p99 (ms) | max (ms) | errors | load average | listening after |\n'
          '|---|---|---|---|---|---|---|---|---|---|---|---|---|')
    for r in results:
        print(f'| {r["model"]} | {r["code"]} | {r["houses"]} | {r["requests"]:,} | {r["threads"]} | {r["requests_per_second"]:,.0f} | {r["houses_per_second"]:,.0f} | '
              f'{r["p50_ms"] or 0:.0f} | {r["p99_ms"] or 0:.0f} | {r["max_ms"] or 0:.0f} | {r["errors"]} | {r["load_average"]:.1f} | {r["listening_s"]:.1f} s |')
    if args.json: Path(args.json).write_text(json.dumps(results, indent=1))
    if any(r['errors'] or r['requests'] < args.requests for r in results): sys.exit(1)


if __name__ == '__main__': main()
