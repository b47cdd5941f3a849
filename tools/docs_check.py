"""Check the docs site without Quarto: run it after `nbdev_proc_nbs`, which writes the processed notebooks to _proc/.

Quarto renders _proc/ into the site (in the GitHub workflow); everything the site shows is already there:

- every name a module exports (its `__all__`) is documented in its processed notebook: a function or class by
  the output of a `show_doc` cell, with a docstring and a comment on every parameter (docments); any other
  name (a constant) by the export cell's own rendering, `#| exports`;
- the notebooks carry their figures: at least MIN_FIGURES PNG outputs;
- nbs/sidebar.yml lists every notebook once, and nothing else.

    nbdev_proc_nbs && python tools/docs_check.py
"""
import ast
import importlib
import inspect
import json
import re
import sys
from pathlib import Path

import yaml
from fastcore.docments import docments

ROOT = Path(__file__).resolve().parent.parent
NBS, PROC = ROOT/'nbs', ROOT/'_proc'
MIN_FIGURES = 4
# How nbdev_proc_nbs marks the cells of `#| exports` (their directive is gone by then).
EXPORTED_SOURCE = 'code-summary: "Exported source"'
# Functions whose parameter comments are being written by the change that rewrites them; their docstrings
# and show_doc output are checked all the same. The check fails once one of them has every comment, so
# that it leaves this list.
PENDING_DOCMENTS = set()


def read_notebook(path: Path) -> list:
    "The cells of the notebook at `path`, each with its source as one string."
    cells = json.loads(path.read_text(encoding='utf-8'))['cells']
    return [c | dict(source=''.join(c['source'])) for c in cells]


def default_exports(nbs: Path) -> dict:
    "`{module name: notebook file name}` for every notebook with a `#| default_exp` but the package's `__init__`."
    found = {}
    for path in sorted(nbs.glob('*.ipynb')):
        for cell in read_notebook(path):
            match = re.search(r'^\s*#\s*\|\s*default_exp\s+(\S+)', cell['source'], re.M)
            if cell['cell_type'] == 'code' and match and match.group(1) != '__init__': found[f'housepricer.{match.group(1)}'] = path.name
    return found


def shown_docs(cells: list) -> set:
    "Names whose `show_doc` cell has an output in the processed notebook `cells`."
    return {m.group(1) for c in cells if c['cell_type'] == 'code' and c.get('outputs')
            for m in re.finditer(r'^show_doc\(([\w.]+)\)', c['source'], re.M)}


def exported_sources(cells: list) -> set:
    "Names assigned at the top level of the `#| exports` cells, whose source the site shows (folded, as nbdev renders them)."
    names = set()
    for cell in cells:
        if cell['cell_type'] != 'code' or EXPORTED_SOURCE not in cell['source']: continue
        for node in ast.parse(cell['source']).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def missing_docments(obj) -> list:
    "The parameters of function or class `obj` that have no comment saying what they mean."
    if inspect.isclass(obj) and '__init__' not in vars(obj): return []  # nothing of its own to describe
    skip = {'self', 'return'}
    params = inspect.signature(obj).parameters
    return [name for name, doc in docments(obj).items()
            if name not in skip and not doc and params[name].kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]


def check_names(module_name: str, notebook: str) -> tuple:
    "`(problems, functions and classes documented, constants documented)` for the names `module_name` exports."
    module = importlib.import_module(module_name)
    if not (PROC/notebook).exists(): return [f'{PROC.name}/{notebook} does not exist: nbdev_proc_nbs did not process it'], 0, 0
    cells = read_notebook(PROC/notebook)
    shown, sources = shown_docs(cells), exported_sources(cells)
    problems, documented, constants = [], 0, 0
    for name in module.__all__:
        obj, where = getattr(module, name), f'{module_name}.{name} ({notebook})'
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            if name in sources: constants += 1
            else: problems.append(f'{where}: not shown in the docs; export it with `#| exports`')
            continue
        if name not in shown: problems.append(f'{where}: no show_doc output in {PROC.name}/{notebook}')
        if not (obj.__doc__ or '').strip(): problems.append(f'{where}: no docstring')
        undescribed = missing_docments(obj)
        if f'{module_name}.{name}' in PENDING_DOCMENTS:
            if not undescribed: problems.append(f'{where}: every parameter is described now: remove it from PENDING_DOCMENTS')
        elif undescribed: problems.append(f'{where}: no comment (docment) on the parameter{"s" * (len(undescribed) > 1)} {", ".join(undescribed)}')
        documented += 1
    return problems, documented, constants


def count_figures(nbs: Path) -> dict:
    "`{notebook: number of PNG outputs}` for the notebooks in `nbs` that have any."
    counts = {path.name: sum('image/png' in o.get('data', {}) for c in read_notebook(path) for o in c.get('outputs', []))
              for path in sorted(nbs.glob('*.ipynb'))}
    return {name: n for name, n in counts.items() if n}


def sidebar_notebooks(sidebar: Path) -> list:
    "Every `.ipynb` entry of a Quarto `sidebar.yml`, sections included, in order."
    def entries(node):
        if isinstance(node, str): return [node] if node.endswith('.ipynb') else []
        if isinstance(node, list): return [e for item in node for e in entries(item)]
        if isinstance(node, dict): return [e for value in node.values() for e in entries(value)]
        return []
    return entries(yaml.safe_load(sidebar.read_text(encoding='utf-8')))


def main() -> int:
    if not PROC.is_dir(): print(f'{PROC} does not exist: run nbdev_proc_nbs first', file=sys.stderr); return 1
    problems, documented, constants = [], 0, 0
    modules = default_exports(NBS)
    for module_name, notebook in modules.items():
        found, functions, values = check_names(module_name, notebook)
        problems += found; documented += functions; constants += values

    figures = count_figures(NBS)
    if sum(figures.values()) < MIN_FIGURES: problems.append(f'only {sum(figures.values())} figures (PNG outputs) in the notebooks; the docs need {MIN_FIGURES}')

    notebooks, listed = sorted(p.name for p in NBS.glob('*.ipynb')), sidebar_notebooks(NBS/'sidebar.yml')
    if sorted(listed) != notebooks:
        problems.append(f'nbs/sidebar.yml must list each notebook once: missing {sorted(set(notebooks) - set(listed))}, '
                        f'unknown {sorted(set(listed) - set(notebooks))}, twice {sorted({n for n in listed if listed.count(n) > 1})}')

    pending = ', '.join(sorted(PENDING_DOCMENTS))
    print(f'{documented} functions and classes (show_doc) and {constants} constants (exported source) documented in the '
          f'processed notebooks of {len(modules)} modules; parameter comments pending for {pending}')
    print(f'{sum(figures.values())} figures: ' + ', '.join(f'{name} {n}' for name, n in figures.items()))
    print(f'nbs/sidebar.yml lists the {len(listed)} notebooks')
    for problem in problems: print(f'docs: {problem}', file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
