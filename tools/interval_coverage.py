"""The price ranges' coverage in cross-validation, as training measures it, for a model (default: the default model).

Runs the protocol's cross-validation and final fit (`views_and_fit`, as `housepricer train` does), calibrates the
ranges on the out-of-fold prices (`calibrate`), and prints, per level, the share of houses that sold within their
range (cross-conformal: each fold against ranges calibrated on the other folds) and the average width as a share of
the price; then the same for one range for every house (one band), and the coverage at 0.9 by fifth of predicted
price, which is why the ranges are calibrated by band. The notebooks test coverage on cheap models; this is the
record for the default one (about half a minute on two cores):

    python tools/interval_coverage.py [--model NAME] [--jobs N]
"""
import argparse
import time

import pandas as pd

from housepricer.data import load_data
from housepricer.evaluate import views_and_fit
from housepricer.intervals import BANDS, _cross_conformal, calibrate
from housepricer.models import DEFAULT_MODEL

LEVELS = (0.5, 0.8, 0.9, 0.95)


def coverage_table(out_of_fold: pd.DataFrame, bands: int | None) -> pd.DataFrame:
    "Coverage (all folds, lowest and highest fold) and average width, per level, of ranges in `bands` bands."
    table = pd.DataFrame(calibrate(out_of_fold, LEVELS, bands).coverage).set_index('level')
    folds = table.pop('folds')
    return table.assign(lowest_fold=folds.map(min), highest_fold=folds.map(max))[['coverage', 'lowest_fold', 'highest_fold', 'width']]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--model', default=DEFAULT_MODEL)
    parser.add_argument('--jobs', type=int, default=-1)
    args = parser.parse_args()
    start = time.perf_counter()
    metrics, _, _, out_of_fold = views_and_fit(load_data(), args.model, n_jobs=args.jobs)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    calibrate(out_of_fold)
    print(f"{args.model}: RMSLE {metrics['rmsle_cv']:.4f}; cross-validation and final fit {seconds:.1f} s, "
          f"calibration and its measure {time.perf_counter() - start:.2f} s\n")
    for bands, title in [(None, f'by band of predicted price ({BANDS} bands): what training stores'), (1, 'one range for every house (1 band)')]:
        print(f'{title}\n{coverage_table(out_of_fold, bands).round(4).to_string()}\n')
    fifth = pd.qcut(out_of_fold.predicted, 5, labels=['cheapest', 'second', 'middle', 'fourth', 'dearest'])
    by_fifth = pd.DataFrame({name: _cross_conformal(out_of_fold, 0.9, bands).inside.groupby(fifth, observed=True).mean()
                             for name, bands in [(f'{BANDS} bands', None), ('1 band', 1)]})
    print(f'coverage at 0.9 by fifth of predicted price\n{by_fifth.round(3).to_string()}')


if __name__ == '__main__':
    main()
