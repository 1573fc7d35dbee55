"""Prints where `cmake --install` puts the Python module, relative to the install prefix
(argv[1]): a directory that this interpreter searches under that prefix.

Debian's python3 searches /usr/lib/python3/dist-packages (its packages) and
/usr/local/lib/python3.X/dist-packages (what is installed by hand); other interpreters search
the platlib of their posix_prefix scheme, lib/python3.X/site-packages.
"""
import os
import sys
import sysconfig

prefix = os.path.normpath(sys.argv[1])
version = "%d.%d" % sys.version_info[:2]
if "deb_system" in sysconfig.get_scheme_names():
    print("lib/python3/dist-packages" if prefix == "/usr" else "lib/python%s/dist-packages" % version)
else:
    base = os.path.normpath("/prefix")
    platlib = sysconfig.get_path("platlib", "posix_prefix", vars={"base": base, "platbase": base})
    print(os.path.relpath(platlib, base))
