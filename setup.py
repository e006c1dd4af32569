"""Packaging beyond pyproject.toml: the top-level templates/ folder ships in the wheel as leadpack/templates.

Maintainers read and override templates/ where it is; an installed leadpack needs the files inside the package
to build a course folder anywhere. find_packages keeps every new sub-package (a format folder) in the wheel
without a list to maintain. Everything else about the package is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["leadpack*"]), "leadpack.templates"],
    package_dir={"leadpack.templates": "templates"},
)
