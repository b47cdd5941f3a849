#!/usr/bin/env python
"""Load benchmark of `housepricer serve` on loopback: requests/s and latency percentiles, per model and request size.

    python tools/bench_serve.py [--models linear-lgbm blend] [--houses 1 100] [--requests 2000] [--threads 8]
                                [--keep DIR] [--json FILE] [--max-seconds 600] [--baseline DIR [--rounds N]]

Each model (by default `linear-lgbm`, the default model, and `blend`, the default before it) is trained
once on the embedded training data and saved as a .skops file (kept, and reused, with --keep), then
served by the installed `housepricer serve --model FILE` in a process of its own, on a free port of
127.0.0.1 only, started by `housepricer.server.running_server` (as the tests and CI start it); the seconds
from starting it until its `/health` answers are printed. For each request size, --requests requests of
that many houses (rows of the embedded test set, a different slice each time) are sent by --threads
client threads, each on one keep-alive
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

Where a request's time goes, measured with a model that prices instantly, so that only the service is
left, on a 2-core machine with the clients on it (load average about 2.5): a request of one house cost
the service 1.1 ms of CPU before issue 13, 0.46 ms of it in the event loop (h11 reading the HTTP,
FastAPI's routing) and 0.65 ms in the scorer, half of that checking the request's few `Id`s with pandas;
a request of a hundred houses cost 7.3 ms, most of it reading the JSON (2 ms) and turning the houses into
columns, a key and a house at a time. After it (httptools' parser, `_Shortcut` past FastAPI's routing,
orjson, columns in one pass, the `Id`s of a batch checked in one call) they cost 0.55 ms (0.21 ms in the
loop) and 3.2 ms (0.5 ms of orjson), and the service alone answered some 1,400 requests a second of one
house (p99 about 15 ms) and some 30,000 houses a second in requests of a hundred, against 630 and 8,900
before. The rest of a request's time is the model's (`score`), and the event loop and the scorer take
turns on one core, since Python runs one thread at a time: two processes serving one socket, each with
its own loop and scorer, answered 40 to 85% more with the instant model, but would split the batching,
the connection cap and `/health` between them.

Earlier lessons still hold: scoring concurrent requests together, with a short linger so that clients
answered together are priced together (with 3 ms, eight clients were now and then split into two calls,
and the last of them waited for both; with 6 ms, never); Nagle's algorithm off on every connection (an
answer otherwise waits up to 40 ms for the client's acknowledgement); the model kept out of the garbage
collector's full collections (a 0.2 s pause with the blend); and no log line per request unless asked
for. The limits and the scorer's watch cost nothing that can be measured: a few timers and reads per
request.
"""
import argparse, contextlib, http.client, json, os, platform, subprocess, sys, tempfile, threading, time
from pathlib import Path

import numpy as np

from housepricer.data import load_test
from housepricer.serve import ServeError
from housepricer.server import running_server  # one way to start the service and wait until it answers


def start_server(servers: contextlib.ExitStack, artifact: Path, log: Path, package: str | None = None) -> tuple:
    "`(port, seconds)`: `housepricer serve` for `artifact` (with the housepricer in folder `package`, if given), held by `servers`, and how long it took until `/health` answered; a `ServeError` if it does not start."
    start = time.perf_counter()
    _, url = servers.enter_context(running_server('--model', str(artifact), log=log, env=with_package(package)))
    return int(url.rsplit(':', 1)[1]), time.perf_counter() - start


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
        ports, ready = {}, {}
        with contextlib.ExitStack() as servers:  # each server is stopped at the end, whatever happens
            for code, package in codes.items():
                try: ports[code], ready[code] = start_server(servers, artifacts[code], work / f'serve-{name}-{code}.log', package)
                except ServeError as e:
                    if code == 'this': sys.exit(f'{name}: {e}')
                    print(f'{name}: the baseline cannot serve it: {e}', file=sys.stderr)
                    continue
                print(f'{name:11} {code:8} answering {ready[code]:.1f} s after it started', file=sys.stderr, flush=True)
            for size in args.houses:
                for _ in range(args.rounds):
                    for code, port in ports.items():
                        run = load(port, bodies(size, args.requests), args.threads, size, args.max_seconds)
                        ms = np.array(run['latencies'])
                        done = len(ms)
                        result = dict(model=name, code=code, houses=size, requests=done, threads=args.threads, seconds=run['seconds'],
                                      requests_per_second=done / run['seconds'], houses_per_second=done * size / run['seconds'],
                                      p50_ms=float(np.percentile(ms, 50)) if done else None, p99_ms=float(np.percentile(ms, 99)) if done else None,
                                      max_ms=float(ms.max()) if done else None, errors=len(run['errors']), load_average=os.getloadavg()[0],
                                      ready_s=ready[code])
                        results.append(result)
                        print(f'{name:11} {code:8} {size:4} houses/request: {done:,} requests in {run["seconds"]:.1f} s, '
                              f'{result["requests_per_second"]:,.0f} requests/s, p50 {result["p50_ms"] or 0:.0f} ms, p99 {result["p99_ms"] or 0:.0f} ms, '
                              f'{len(run["errors"])} errors, load average {result["load_average"]:.1f}', file=sys.stderr, flush=True)
                        for error in run['errors'][:3]: print(f'  {error}', file=sys.stderr)
    print('\n| model | code | houses/request | requests | threads | requests/s | houses/s | p50 (ms) | p99 (ms) | max (ms) | errors | load average | answering after |\n'
          '|---|---|---|---|---|---|---|---|---|---|---|---|---|')
    for r in results:
        print(f'| {r["model"]} | {r["code"]} | {r["houses"]} | {r["requests"]:,} | {r["threads"]} | {r["requests_per_second"]:,.0f} | {r["houses_per_second"]:,.0f} | '
              f'{r["p50_ms"] or 0:.0f} | {r["p99_ms"] or 0:.0f} | {r["max_ms"] or 0:.0f} | {r["errors"]} | {r["load_average"]:.1f} | {r["ready_s"]:.1f} s |')
    if args.json: Path(args.json).write_text(json.dumps(results, indent=1))
    if any(r['errors'] or r['requests'] < args.requests for r in results): sys.exit(1)


if __name__ == '__main__': main()
