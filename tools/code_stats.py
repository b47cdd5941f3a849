"""How the code reads, in figures: lines per module, export cells per chapter and their sizes, bare asserts, index words.

Run from the repository root: `python tools/code_stats.py [--largest N]`. Used for the before/after figures of
issue 14 (the codebase as a model nbdev project); it reads only files, so it can be pointed at any checkout with `--root`."""
import argparse, json, re
from pathlib import Path

DIRECTIVE = re.compile(r'^\s*#\|')

def cells(nb: Path) -> list: return json.loads(nb.read_text())['cells']

def source(cell) -> str: return ''.join(cell['source'])

def is_export(cell) -> bool:
    return cell['cell_type'] == 'code' and re.search(r'^\s*#\|\s*exports?\b', source(cell), re.M) is not None

def code_lines(cell) -> int: return sum(1 for line in source(cell).splitlines() if line.strip() and not DIRECTIVE.match(line))

def bare_asserts(cell) -> int:
    if cell['cell_type'] != 'code' or is_export(cell): return 0
    return len(re.findall(r'^\s*assert\b', source(cell), re.M))

def words(nb: Path) -> int: return sum(len(source(c).split()) for c in cells(nb) if c['cell_type'] == 'markdown')

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--root', default='.', help='a checkout of housepricer')
    parser.add_argument('--largest', type=int, default=12, help='how many of the largest export cells to list')
    args = parser.parse_args()
    root = Path(args.root)
    print('## Modules (lines, without _modidx)')
    modules = sorted(p for p in (root/'housepricer').glob('*.py') if p.name != '_modidx.py')
    for p in modules: print(f'{p.name:24} {len(p.read_text().splitlines()):5}')
    print(f'{"total":24} {sum(len(p.read_text().splitlines()) for p in modules):5}')
    print('\n## Chapters: export cells, their mean and largest size (non-blank code lines), cells over 40, bare asserts')
    sizes = []
    for nb in sorted((root/'nbs').rglob('*.ipynb')):
        if '.ipynb_checkpoints' in nb.parts: continue
        cs = cells(nb); exports = [c for c in cs if is_export(c)]
        lines = [code_lines(c) for c in exports]
        sizes += [(n, nb.relative_to(root/'nbs').as_posix(), source(c).split('\n')[1 if source(c).startswith('#|') else 0][:60])
                  for n, c in zip(lines, exports)]
        mean = sum(lines)/len(lines) if lines else 0
        print(f'{nb.relative_to(root/"nbs").as_posix():32} cells {len(cs):3}  exports {len(exports):3}  mean {mean:5.1f}  '
              f'max {max(lines, default=0):4}  over 40: {sum(n > 40 for n in lines):2}  bare asserts {sum(map(bare_asserts, cs)):3}')
    print(f'\n## The {args.largest} largest export cells')
    for n, name, first in sorted(sizes, reverse=True)[:args.largest]: print(f'{n:4}  {name:28} {first}')
    print(f'\n## index: {words(root/"nbs"/"index.ipynb")} words of prose')

if __name__ == '__main__': main()
