"""`cmake --install` puts the module where the interpreter looks for packages under the install
prefix, and it works from there, with the libraries installed beside it, without the build tree."""
import glob
import os
import subprocess
import sys
import textwrap

from conftest import SOURCE_DIR

BUILD_DIR = os.environ.get("HELMHOLTZ_BUILD_DIR", os.path.join(SOURCE_DIR, "build"))
CMAKE = os.environ.get("HELMHOLTZ_CMAKE", "cmake")


def install_dir():
    """HELMHOLTZ_PYTHON_INSTALL_DIR, from CTest or from the build's cache."""
    if "HELMHOLTZ_PYTHON_INSTALL_DIR" in os.environ:
        return os.environ["HELMHOLTZ_PYTHON_INSTALL_DIR"]
    for line in open(os.path.join(BUILD_DIR, "CMakeCache.txt")):
        if line.startswith("HELMHOLTZ_PYTHON_INSTALL_DIR:"):
            return line.split("=", 1)[1].strip()
    raise AssertionError("HELMHOLTZ_PYTHON_INSTALL_DIR is not in the build's cache")


def test_the_installed_module_is_found_under_the_prefix_as_the_interpreters_own_packages_are(tmp_path):
    prefix = str(tmp_path / "prefix")
    # the module with the shared libraries it links, the program and the package
    subprocess.run([CMAKE, "--install", BUILD_DIR, "--prefix", prefix], check=True, capture_output=True)
    directory = os.path.join(prefix, install_dir())
    installed = glob.glob(os.path.join(directory, "helmholtz*.so"))
    assert len(installed) == 1
    # The interpreter searches the site directories of a prefix (site.getsitepackages); the
    # module is in one of them. Started with that prefix's directories and not the build tree's:
    code = textwrap.dedent("""
        import site, sys
        assert %r in site.getsitepackages([%r])
        for d in site.getsitepackages([%r]):
            site.addsitedir(d)
        import helmholtz
        net = helmholtz.load(%r)
        print(helmholtz.__file__, net.sample(3, 1).shape)
    """ % (directory, prefix, prefix, os.path.join(SOURCE_DIR, "models", "tiny.yaml")))
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, env=environment, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr.decode()
    printed = result.stdout.decode().split()
    assert printed[0] == installed[0] and printed[1:] == ["(3,", "4)"]
