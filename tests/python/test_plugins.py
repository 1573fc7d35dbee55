"""Plugin libraries from Python: load(plugins=[...]) is `--plugin`, a model file's own
`plugins:` are loaded as the program loads them, and a network with a plugin distribution
samples, enumerates and trains as the program does with it."""
import json
import os
import pathlib
import shutil

import numpy
import pytest

import helmholtz
from conftest import SOURCE_DIR, format_patterns, run_cli, source

LIBRARIES = os.environ.get("HELMHOLTZ_TEST_PLUGINS", os.path.join(SOURCE_DIR, "build", "tests", "plugin-libraries"))
PROBIT = os.path.join(LIBRARIES, "libprobit.so")
MODEL = source("tests", "package", "probit.yaml")


def test_a_plugin_library_adds_its_distributions():
    assert "probit" not in helmholtz.distributions()
    assert helmholtz.distributions(plugins=[PROBIT]) == sorted(helmholtz.distributions() + ["probit"])
    with pytest.raises(helmholtz.InputError, match="unknown distribution 'probit'"):
        helmholtz.load(MODEL)
    net = helmholtz.load(MODEL, plugins=[pathlib.Path(PROBIT)])
    assert net.generative["data"].distribution == "probit"
    assert net.generative["data"].parents == ["middle", "cause"]


def test_a_network_of_a_plugin_samples_enumerates_and_trains_as_the_program_does(in_tmp):
    shutil.copy(MODEL, "probit.yaml")
    net = helmholtz.load("probit.yaml", plugins=[PROBIT])
    printed = run_cli("sample", "probit.yaml", "-n", 300, "--seed", 2, "--plugin", PROBIT).stdout.decode()
    assert format_patterns(net.sample(300, 2)) == printed
    pathlib.Path("d.data").write_text(printed)
    exact = run_cli("exact", "probit.yaml", "--data", "d.data", "--json", "--plugin", PROBIT).stdout.decode()
    assert numpy.array_equal(net.exact("d.data")["log_likelihood"], json.loads(exact)["log_likelihood"])
    run_cli("train", "probit.yaml", "--data", "d.data", "--seed", 1, "--epochs", 2, "--quiet", "--plugin", PROBIT,
            "-o", "cli.yaml")
    net.train("d.data", seed=1, epochs=2)
    net.save("python.yaml")
    assert pathlib.Path("python.yaml").read_bytes() == pathlib.Path("cli.yaml").read_bytes()


def test_a_model_naming_its_plugin_library_is_read_saved_and_read_back(in_tmp):
    shutil.copy(PROBIT, "libprobit.so")
    text = "plugins: [libprobit.so]\n" + open(MODEL).read()
    pathlib.Path("named.yaml").write_text(text)
    net = helmholtz.load("named.yaml")
    assert net.generative["cause"].distribution == "probit"
    os.mkdir("elsewhere")
    net.save("elsewhere/saved.yaml")  # the library named relative to where the file is
    again = helmholtz.load("elsewhere/saved.yaml")
    assert again.to_yaml() == net.to_yaml()
    assert "../libprobit.so" in pathlib.Path("elsewhere/saved.yaml").read_text()


@pytest.mark.parametrize("library", ["clashing", "other_version", "no_registration", "throwing", "empty", "unresolved"])
def test_a_library_that_cannot_be_used_raises_the_programs_message(library, in_tmp):
    path = os.path.join(LIBRARIES, "lib%s.so" % library)
    result = run_cli("check", source("models", "tiny.yaml"), "--plugin", path, check=False)
    assert result.returncode == 1
    with pytest.raises(helmholtz.Error) as raised:
        helmholtz.load(source("models", "tiny.yaml"), plugins=[path])
    assert "helmholtz check: " + str(raised.value) + "\n" == result.stderr.decode()
