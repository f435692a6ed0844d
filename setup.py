"""What pyproject.toml cannot say: a built wheel carries migrations/ and scenarios/ (quiz cards included)
in bot/_bundled, so `pip install .` runs without the checkout. An editable install reads them in place.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
CONTENT = ("migrations", "scenarios")


class BuildWithContent(build_py):
    """The usual build, plus a copy of the content folders inside the package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for name in CONTENT:
            target = Path(self.build_lib) / "bot" / "_bundled" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(HERE / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithContent})
