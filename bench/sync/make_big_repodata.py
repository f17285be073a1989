#!/usr/bin/env python3
"""Generates an N-record repodata.json from the shapes of real conda-forge records (the
conda-subchannel-demo linux-64 subset): each real record is repeated with a unique file name,
name and build hash, so sizes, key sets and dependency lists look like the real thing."""
import json
import sys


def main():
    source, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    real = json.load(open(source))
    records = [(fn, r) for section in ("packages", "packages.conda") for fn, r in real[section].items()]
    packages, conda = {}, {}
    for i in range(count):
        fn, rec = records[i % len(records)]
        copy = dict(rec)
        copy["name"] = "%s-r%d" % (rec["name"], i // len(records))
        stem = "%s-%s-%s" % (copy["name"], rec["version"], rec["build"])
        target = conda if fn.endswith(".conda") else packages
        ext = ".conda" if fn.endswith(".conda") else ".tar.bz2"
        target[stem + ext] = copy
    doc = {"info": {"subdir": "linux-64"}, "packages": packages, "packages.conda": conda,
           "removed": [], "repodata_version": 1}
    with open(out, "w") as f:
        json.dump(doc, f, sort_keys=True, separators=(",", ":"))


if __name__ == "__main__":
    main()
