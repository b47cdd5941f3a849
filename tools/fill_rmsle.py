#!/usr/bin/env python
"""How well a house is priced from the page's form alone: the RMSLE of prices made from a few of its columns, the others
filled from similar houses (`fill_similar`) or at their typical values (`typical_house`), in cross-validation; and the
CPU time of one such price.

    python tools/fill_rmsle.py [--model linear-lgbm] [--rows N] [--fields COLUMN ...] [--calls 300] [--json]

Cross-validation is the protocol's (`FOLDS` shuffled folds, `CV_SEED`) on the embedded training data (or a sample of
--rows of it): in each fold the model is trained on the other folds (`train`, which keeps them as its similar houses),
and each held-out house is priced three ways: from all its columns (the protocol's figure), and from the form's fields
alone (`FORM_FIELDS`, or --fields) with every other column filled from the training folds' similar
houses, or set to the training folds' typical value. The RMSLE is the mean over the folds, as the protocol's.

Latency: one house of the form's fields, read from a JSON body as the service reads it, filled and priced --calls times
(`fill_similar` then `score`), against a full house read and priced (`score`), in CPU seconds of this process
(`time.process_time`): the median of five rounds, so that other work on a shared machine counts less. And the house's
variants that an explanation prices, one per subset of its fields (2 ** fields of them), filled (`given` leaves the
others out) and priced in one call each, a hundredth as many times.
"""
import argparse, itertools, json, statistics, sys, time

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold

from housepricer.data import ID, TARGET, load_data
from housepricer.evaluate import CV_SEED, FOLDS, rmsle
from housepricer.explain import typical_fill
from housepricer.models import input_schema, train
from housepricer.options import DEFAULT_MODEL
from housepricer.page import FORM_FIELDS, typical_house
from housepricer.predict import score
from housepricer.request import houses_from_json
from housepricer.schema import InputSchema
from housepricer.similar import fill_similar

FIELDS = list(FORM_FIELDS)  # the form's fields


def prices(model, houses: pd.DataFrame) -> np.ndarray: return score(model, houses)[0][TARGET].to_numpy()


def fold_rmsles(model, train_rows: pd.DataFrame, valid: pd.DataFrame, fields: list) -> dict:
    "The RMSLE of `valid`'s prices from all columns, and from `fields` with the rest filled from similar houses or typical values."
    houses, actual = valid.drop(columns=[TARGET]), valid[TARGET]
    given = houses[[ID, *fields]]
    typical = typical_house(input_schema(model), len(train_rows))
    at_typical = typical_fill(typical)(given, pd.DataFrame(True, index=given.index, columns=fields))  # filled years agree with given ones
    return dict(all_columns=rmsle(actual, prices(model, houses)), similar=rmsle(actual, prices(model, fill_similar(model, given)[0])),
                typical=rmsle(actual, prices(model, at_typical)))


def cross_validated(df: pd.DataFrame, model: str, fields: list) -> dict:
    "Each way's RMSLE per fold and its mean, over the protocol's folds of `df`."
    df = df.reset_index(drop=True)
    folds = []
    for train_at, valid_at in KFold(FOLDS, shuffle=True, random_state=CV_SEED).split(df):
        fitted = train(df.iloc[train_at], model)
        folds.append(fold_rmsles(fitted, df.iloc[train_at], df.iloc[valid_at], fields))
        print(f'  fold {len(folds)}/{FOLDS}: ' + ', '.join(f'{way} {value:.4f}' for way, value in folds[-1].items()), file=sys.stderr)
    return {way: dict(rmsle=float(np.mean([fold[way] for fold in folds])), folds=[fold[way] for fold in folds]) for way in folds[0]}


def cpu_ms(call, calls: int) -> float:
    "The median over five rounds of the CPU milliseconds of one `call()`, each round `calls` calls."
    call()
    rounds = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(calls): call()
        rounds.append((time.process_time() - start) / calls * 1000)
    return statistics.median(rounds)


def latency(df: pd.DataFrame, model: str, fields: list, calls: int) -> dict:
    "CPU milliseconds to read and price one house of `fields`, filled from similar houses, and one full house, as the service does."
    fitted = train(df, model)
    schema = InputSchema.of(input_schema(fitted))
    house = json.loads(df.drop(columns=[TARGET]).head(1).to_json(orient='records'))[0]
    full, form = json.dumps([house]).encode(), json.dumps([{field: house[field] for field in fields}]).encode()
    def filled(): return score(fitted, fill_similar(fitted, houses_from_json(form, schema)[0], 'request')[0], 'request', schema)
    def whole(): return score(fitted, houses_from_json(full, schema)[0], 'request', schema)
    def fill_only(): return fill_similar(fitted, houses_from_json(form, schema)[0], 'request')
    given = pd.DataFrame(list(itertools.product([False, True], repeat=len(fields))), columns=fields)  # every subset of the fields
    variants = pd.concat([houses_from_json(form, schema)[0]] * len(given), ignore_index=True).assign(**{ID: np.arange(1, len(given) + 1)})
    def subsets(): return score(fitted, fill_similar(fitted, variants, 'request', given)[0], 'request', schema)
    return dict(fill_and_score_ms=cpu_ms(filled, calls), fill_ms=cpu_ms(fill_only, calls), full_house_score_ms=cpu_ms(whole, calls),
                calls=calls, subsets=len(given), subsets_fill_and_score_ms=cpu_ms(subsets, max(1, calls // 100)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--model', default=DEFAULT_MODEL, help='the model to train (default: %(default)s)')
    parser.add_argument('--rows', type=int, help='a sample of this many training houses (default: all)')
    parser.add_argument('--fields', nargs='+', default=FIELDS, help='the columns given (default: the form\'s fields)')
    parser.add_argument('--calls', type=int, default=300, help='calls per round of the latency measurement; 0 skips it (default: %(default)s)')
    parser.add_argument('--json', action='store_true', help='print the figures as JSON')
    args = parser.parse_args()
    df = load_data()
    if args.rows: df = df.sample(args.rows, random_state=CV_SEED)
    results = dict(model=args.model, rows=len(df), fields=args.fields, cross_validation=cross_validated(df, args.model, args.fields))
    if args.calls: results['latency'] = latency(df, args.model, args.fields, args.calls)
    if args.json: print(json.dumps(results)); return
    print(f'{args.model}, {len(df)} houses, {FOLDS}-fold RMSLE (mean over folds):')
    for way, label in [('all_columns', 'all columns given'), ('similar', 'form fields, the rest from similar houses'),
                       ('typical', 'form fields, the rest at typical values')]:
        print(f'  {label:45} {results["cross_validation"][way]["rmsle"]:.4f}')
    if args.calls:
        found = results['latency']
        print(f'one house, CPU ms (median of 5 rounds of {args.calls} calls): fill_similar + score {found["fill_and_score_ms"]:.2f} '
              f'(fill_similar {found["fill_ms"]:.2f}); a full house, score {found["full_house_score_ms"]:.2f}; '
              f'its {found["subsets"]:,} subsets of fields filled and priced in one call {found["subsets_fill_and_score_ms"]:.0f}')


if __name__ == '__main__':
    main()
