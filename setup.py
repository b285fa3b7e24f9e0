"""Packaging hook: ship the top-level ontology/ folder inside the package as kg/_data.

The project keeps its data (ontology, shapes, JSON-LD context, gazetteer, lexicons) in
ontology/ at the top of the repository; a wheel must carry it, so build_py copies it
into the built package, where kg.resources finds it with importlib.resources. An
editable install reads ontology/ in the source tree instead. The metadata is in
pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

DATA_SOURCE = Path(__file__).resolve().parent / "ontology"


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "kg" / "_data"
        for source in sorted(DATA_SOURCE.rglob("*")):
            relative = source.relative_to(DATA_SOURCE)
            if not source.is_file() or "__pycache__" in relative.parts or any(
                    part.startswith(".") for part in relative.parts):
                continue
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            self.copy_file(str(source), str(destination))


setup(cmdclass={"build_py": BuildPyWithData})
