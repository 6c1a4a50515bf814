"""The package list for setuptools (everything else is in pyproject.toml): every package under tf_lu/, found, so a
new subpackage needs no listing, plus the repository's configs/ and saved_models/, which pyproject.toml maps to
tf_lu.configs and tf_lu.saved_models."""
from setuptools import find_packages, setup

setup(packages=find_packages(include=["tf_lu", "tf_lu.*"]) + ["tf_lu.configs", "tf_lu.saved_models"])
