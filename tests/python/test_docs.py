"""docs/python.md: its Python examples run, in order, as one program (each example builds on
the ones before it), in a scratch folder where `models/` is the source tree's."""
import os
import re

from conftest import source

DOC = source("docs", "python.md")


def python_examples():
    return re.findall(r"^```python\n(.*?)^```$", open(DOC).read(), flags=re.S | re.M)


def test_every_python_example_of_the_python_page_runs(in_tmp, capsys):
    os.symlink(source("models"), "models")
    examples = python_examples()
    assert len(examples) >= 10
    namespace = {"__name__": "docs_python_md"}
    for number, example in enumerate(examples, 1):
        try:
            exec(compile(example, "docs/python.md, example %d" % number, "exec"), namespace)
        except Exception as error:
            raise AssertionError("example %d of docs/python.md failed:\n%s" % (number, example)) from error
    # the callback example printed a line per epoch until the validation score was good enough
    printed = capsys.readouterr().out.splitlines()
    assert printed and all(line.startswith("epoch ") for line in printed)
    assert namespace["net"].training["epochs_completed"] == len(printed) < 200


def test_the_page_documents_every_public_name_of_the_module():
    import helmholtz
    text = open(DOC).read()
    public = [name for name in dir(helmholtz) if not name.startswith("_")]
    for name in public:
        assert name in text, name
    members = [name for name in dir(helmholtz.Network) if not name.startswith("_")]
    for name in members:
        assert name in text, "Network." + name
    for kind in (helmholtz.Conditional, helmholtz.Direction):
        for name in [n for n in dir(kind) if not n.startswith("_")]:
            assert "`%s`" % name in text or "`%s()`" % name in text or ".%s" % name in text, kind.__name__ + "." + name
