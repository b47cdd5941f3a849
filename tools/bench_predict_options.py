#!/usr/bin/env python
"""Benchmark one-house `POST /predict` through the app: a plain request, and `?fill=similar&explain=1`.

    python tools/bench_predict_options.py [--model linear-lgbm] [--calls 40]

The model is trained once on the embedded training data, and given an interval calibration (made from
its own prices of the training houses: its figures do not matter here, only the work of a range). The
plain request is the embedded test set's first house with every column; the other is the same house with
the form's fields (`housepricer.page.FORM_FIELDS`), ten columns, the rest filled from
similar houses, alone and with every price explained (2**10 variants; and the first nine of the form's
fields, 2**9); and the costliest requests `fill=similar` allows (median of three calls each): `MAX_FILLED` houses of
one field, as many of nothing given, `MAX_FAR_FILLED` houses that each tie with hundreds of training
houses, and eight houses of the form's fields all null, explained. Each request goes through FastAPI's `TestClient`,
so the figure includes reading the JSON body, the scorer's thread and the answer. Times are
`time.process_time` (CPU of the whole process, the scorer's thread included), the median of --calls calls
after one warm-up call.
"""
import argparse, json

import numpy as np
import pandas as pd
from fastapi.testclient import TestClient

from bench_explain import cpu_median  # tools/ is on the path of a script run from it

from housepricer.data import TARGET, load_data, load_test
from housepricer.intervals import calibrate
from housepricer.models import train
from housepricer.page import FORM_FIELDS
from housepricer.predict import score
from housepricer.registry import Version
from housepricer.serve import MAX_FAR_FILLED, MAX_FILLED, make_app


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--model', default='linear-lgbm')
    parser.add_argument('--calls', type=int, default=40, help='calls timed per figure (the median is shown)')
    args = parser.parse_args()
    data = load_data()
    model = train(data, args.model)
    own = score(model, data.drop(columns=TARGET))[0][TARGET].to_numpy()
    calibration = calibrate(pd.DataFrame({'fold': data.index % 5, 'actual': data[TARGET], 'predicted': own}), levels=(0.9,))
    client = TestClient(make_app(model, Version(1, model=args.model, data_rows=len(data), intervals=calibration.to_dict())))
    house = json.loads(load_test().head(1).to_json(orient='records'))
    form = [{column: house[0][column] for column in FORM_FIELDS}]
    largest = [{'GrLivArea': area} for area in np.linspace(500, 4000, MAX_FILLED).round()]  # the most houses a request may have filled
    requests = [('plain', '/predict', house, args.calls), ('fill=similar, 10 fields', '/predict?fill=similar', form, args.calls),
                ('fill=similar&explain=1, 9 fields', '/predict?fill=similar&explain=1', [{c: form[0][c] for c in list(FORM_FIELDS)[:9]}], args.calls),
                ('fill=similar&explain=1, 10 fields', '/predict?fill=similar&explain=1', form, args.calls),
                (f'fill=similar, {MAX_FILLED:,} houses of 1 field (MAX_FILLED)', '/predict?fill=similar', largest, 3),
                (f'fill=similar, {MAX_FILLED:,} houses of nothing given', '/predict?fill=similar', [{}] * MAX_FILLED, 3),
                (f'fill=similar, {MAX_FAR_FILLED} houses each as near to hundreds (MAX_FAR_FILLED)', '/predict?fill=similar',
                 [{'YrSold': 1000 + year} for year in range(MAX_FAR_FILLED)], 3),
                ('fill=similar&explain=1, 8 houses of 10 nulls', '/predict?fill=similar&explain=1', [dict.fromkeys(FORM_FIELDS)] * 8, 3)]
    for name, path, body, calls in requests:
        answer = client.post(path, json=body)
        if answer.status_code != 200: raise SystemExit(f'{name}: {answer.status_code} {answer.text}')
        print(f'{args.model} {name}: {cpu_median(lambda: client.post(path, json=body), calls) * 1000:.1f} ms CPU (median of {calls})')
    print('load average:', open('/proc/loadavg').read().split()[:3])


if __name__ == '__main__':
    main()
