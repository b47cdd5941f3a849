"""Package metadata for housepricer, read from settings.ini (nbdev 2's single configuration file).

Unlike the classic nbdev template this does not import `pkg_resources`, which setuptools 82 removed.
"""
from configparser import ConfigParser
from pathlib import Path

import setuptools

here = Path(__file__).parent
config = ConfigParser(delimiters=['='])
config.read(here/'settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

for key in 'lib_name user description keywords author author_email license status min_python version'.split():
    if key not in cfg: raise KeyError(f'settings.ini is missing the key {key!r}')

licenses = {'apache2': ('Apache Software License 2.0', 'OSI Approved :: Apache Software License')}
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
py_versions = ['3.10', '3.11', '3.12', '3.13', '3.14']
license_name, license_classifier = licenses[cfg['license']]
min_python = cfg['min_python']

def words(key): return cfg.get(key, '').split()

# Every `NAME_requirements` key is the extra `housepricer[NAME]`; the dev extra holds all of them.
extras = {key.removesuffix('_requirements'): words(key) for key in cfg if key.endswith('_requirements')}
extras['dev'] = sorted({req for reqs in extras.values() for req in reqs})

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    long_description=(here/'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    url=cfg['git_url'],
    author=cfg['author'],
    author_email=cfg['author_email'],
    license=license_name,
    keywords=cfg['keywords'],
    classifiers=[
        f'Development Status :: {statuses[int(cfg["status"]) - 1]}',
        f'Intended Audience :: {cfg["audience"]}',
        f'License :: {license_classifier}',
        f'Natural Language :: {cfg["language"]}',
    ] + [f'Programming Language :: Python :: {v}' for v in py_versions[py_versions.index(min_python):]],
    python_requires=f'>={min_python}',
    packages=setuptools.find_packages(include=[cfg['lib_name'], f'{cfg["lib_name"]}.*']),
    include_package_data=True,
    package_data={pkg.strip(): globs.split() for pkg, globs in
                  (entry.split(':') for entry in cfg.get('package_data', '').split(';') if entry.strip())},
    install_requires=words('requirements'),
    extras_require=extras,
    entry_points={'console_scripts': words('console_scripts'), 'nbdev': [f'{cfg["lib_name"]}={cfg["lib_name"]}._modidx:d']},
    zip_safe=False,
)
