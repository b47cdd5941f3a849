#!/usr/bin/env python
"""Benchmark `housepricer.explain.explain`: CPU time of one call, for one house and for several, per model.

    python tools/bench_explain.py [--models linear-lgbm] [--houses 1 8] [--calls 30] [--fill similar] [--json FILE]

Each model is trained once on the embedded training data. The houses are the embedded test set's first
rows with the form's fields (`housepricer.page.FORM_FIELDS`, ten columns) and nothing else: every call
prices 2**10 = 1,024 variants of each house in one batch (8 houses make a call of `MAX_PRICES` variants). The call is
made as a service would make it per request: with the model's `InputSchema` and the typical fill
(`typical_fill(typical_house(schema, rows))`) built once, beforehand; or, with --fill similar, each
variant filled from similar houses (`fill_similar` with `given`, and every column the fill reads explained,
as `POST /predict?fill=similar&explain=1`). Times are `time.process_time`
(CPU of this process, which other work on a shared machine changes less than the wall time), the
median of --calls calls after one warm-up call; `score` of the same houses, all their columns given, is
timed alongside for scale. The load average (from /proc/loadavg) is printed at the end.
"""
import argparse, json, os, statistics, time

import pandas as pd

from housepricer.clean import FEATURES
from housepricer.data import ID, load_data, load_test
from housepricer.explain import explain, typical_fill
from housepricer.models import input_schema, train
from housepricer.page import FORM_FIELDS, typical_house
from housepricer.predict import score
from housepricer.schema import InputSchema
from housepricer.similar import fill_similar


def cpu_median(call, calls: int) -> float:
    "The median CPU seconds of `calls` calls of `call`, after one to warm up."
    call()
    times = []
    for _ in range(calls):
        start = time.process_time(); call(); times.append(time.process_time() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--models', nargs='+', default=['linear-lgbm'])
    parser.add_argument('--houses', nargs='+', type=int, default=[1, 8], help='houses per call')
    parser.add_argument('--calls', type=int, default=30, help='calls timed per figure (the median is shown)')
    parser.add_argument('--fill', choices=['typical', 'similar'], default='typical', help='how each variant gets the columns it does not give')
    parser.add_argument('--json', help='also write the figures to this file')
    args = parser.parse_args()
    print(f'OMP_NUM_THREADS={os.environ.get("OMP_NUM_THREADS")} OPENBLAS_NUM_THREADS={os.environ.get("OPENBLAS_NUM_THREADS")}')
    data, test, rows = load_data(), load_test(), []
    for name in args.models:
        model = train(data, name)
        schema = InputSchema.of(input_schema(model))
        complete = (typical_fill(typical_house(schema, len(data))) if args.fill == 'typical'
                    else lambda variants, given: fill_similar(model, variants, 'request', given)[0])
        players = FEATURES if args.fill == 'similar' else ()
        for n in args.houses:
            form = test.head(n)[[ID, *(c for c in FORM_FIELDS if c in schema or c in players)]]
            given = form.shape[1] - 1
            explained = cpu_median(lambda: explain(model, form, complete, schema, 'request', players), args.calls)
            scored = cpu_median(lambda: score(model, test.head(n), 'request', schema), args.calls)
            rows.append(dict(model=name, fill=args.fill, houses=n, given=given, variants=n << given, explain_ms=round(explained * 1e3, 1), score_ms=round(scored * 1e3, 1)))
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    print('load average:', open('/proc/loadavg').read().split()[:3])
    if args.json: json.dump(rows, open(args.json, 'w'), indent=1)


if __name__ == '__main__': main()
