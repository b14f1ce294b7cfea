"""The build step pyproject.toml cannot say: compile the translations into the wheel.

The translators' catalogs live in `locales/` beside the package; the wheel carries them
compiled, as `bot/locales/<lang>/LC_MESSAGES/messages.mo`, so that an installed bot never
writes into its own folder and never needs the source tree.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    # bot/catalogs.py needs only babel; loaded by path so that the package is not imported.
    spec = importlib.util.spec_from_file_location("_forum_bot_catalogs", ROOT / "bot/catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compile_catalogs(source, target)


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            target = Path(self.build_lib) / "bot" / "locales"
            for mo in compile_catalogs(ROOT / "locales", target):
                self.announce(f"compiled {mo}", level=2)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not self.editable_mode:
            target = Path(self.build_lib) / "bot" / "locales"
            outputs += [str(p) for p in sorted(target.glob("*/LC_MESSAGES/*.mo"))]
        return outputs


setup(cmdclass={"build_py": BuildWithCatalogs})
