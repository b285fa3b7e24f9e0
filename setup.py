"""Packaging hooks: ship the top-level ontology/ folder inside the package as kg/_data, and
build the optional C loops of the tagger (kg/nlp/_hanta_rows.pyx).

The project keeps its data (ontology, shapes, JSON-LD context, gazetteer, lexicons) in
ontology/ at the top of the repository; a wheel must carry it, so build_py copies it
into the built package, where kg.resources finds it with importlib.resources. An
editable install reads ontology/ in the source tree instead. The metadata is in
pyproject.toml.

The C loops make HanTa's word analysis about three times faster with the same results; where
Cython or a C compiler is missing, the build goes on without them and kg runs the same loops
in pure Python (kg.nlp.hanta_fast).
"""

from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
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


class OptionalBuildExt(build_ext):
    """Build the C loops where a compiler is at hand; without one, warn and go on."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler, no Python headers: setuptools raises several kinds
            self.warn(f"kg: the C loops were not built ({exc}); kg runs them in pure Python")

    def build_extension(self, ext) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            self.warn(f"kg: {ext.name} was not built ({exc}); kg runs it in pure Python")


def extensions() -> list[Extension]:
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("kg: Cython is not installed; the C loops are not built, kg runs them in pure Python")
        return []
    return cythonize([Extension("kg.nlp._hanta_rows", ["kg/nlp/_hanta_rows.pyx"])],
                     compiler_directives={"language_level": 3}, quiet=True)


setup(cmdclass={"build_py": BuildPyWithData, "build_ext": OptionalBuildExt}, ext_modules=extensions())
