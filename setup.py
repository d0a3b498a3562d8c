"""Builds the extension with CMake for `pip install .` (pyproject.toml).

Only the runtime library and the extension are built (no trainer, server,
tests or benchmarks); `cmake --install --component python` puts the
extension, libpropscan beside it and the shipped model into the package.
PROPSCAN_PIP_BUILD_DIR names a CMake build directory to reuse (the test
does, so that a second install is incremental); PROPSCAN_PIP_JOBS the
build's parallelism (default 1).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class CMakeBuild(build_ext):
    def run(self):
        build_dir = Path(os.environ.get("PROPSCAN_PIP_BUILD_DIR") or Path(self.build_temp) / "cmake").resolve()
        out_dir = Path(self.build_lib).resolve()
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
            "-DPROPSCAN_BUILD_PYTHON=ON", "-DPROPSCAN_BUILD_TRAINER=OFF", "-DPROPSCAN_BUILD_SERVER=OFF",
            "-DPROPSCAN_BUILD_TESTS=OFF", "-DPROPSCAN_BUILD_BENCH=OFF",
            f"-DPython3_EXECUTABLE={sys.executable}", "-DPROPSCAN_PYTHON_INSTALL_DIR=propscan",
        ]
        if shutil.which("ninja") and not (build_dir / "Makefile").exists():
            configure += ["-G", "Ninja"]
        jobs = os.environ.get("PROPSCAN_PIP_JOBS", "1")
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "propscan_python", "--parallel", jobs],
                       check=True)
        subprocess.run(["cmake", "--install", str(build_dir), "--component", "python", "--prefix", str(out_dir)],
                       check=True)


setup(ext_modules=[Extension("propscan._propscan", sources=[])], cmdclass={"build_ext": CMakeBuild})
