#!/usr/bin/env python3
"""Builds a bench upstream channel: N package files (the real fixture packages, hard-linked under
new names) in <out>/{linux-64,noarch}/ with a repodata.json listing them. Like a real channel,
each package name has several versions (VERSIONS_PER_NAME files per name)."""
import hashlib
import json
import os
import shutil
import sys

VERSIONS_PER_NAME = 10


def main():
    fixtures, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sources = []
    for subdir in ("linux-64", "noarch"):
        d = os.path.join(fixtures, "packages", subdir)
        for fn in sorted(os.listdir(d)):
            if fn.endswith((".conda", ".tar.bz2")):
                sources.append((subdir, os.path.join(d, fn), fn))
    digests = {}
    for _, path, _ in sources:
        data = open(path, "rb").read()
        digests[path] = (len(data), hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest())
    repodata = {s: {"info": {"subdir": s}, "packages": {}, "packages.conda": {}, "removed": [], "repodata_version": 1}
                for s in ("linux-64", "noarch")}
    for i in range(count):
        subdir, path, fn = sources[i % len(sources)]
        ext = ".conda" if fn.endswith(".conda") else ".tar.bz2"
        name = "bench%04d" % (i // VERSIONS_PER_NAME)
        version = "1.%d" % (i % VERSIONS_PER_NAME)
        new_fn = "%s-%s-h%05d_0%s" % (name, version, i, ext)
        dest_dir = os.path.join(out, subdir)
        os.makedirs(dest_dir, exist_ok=True)
        dest = os.path.join(dest_dir, new_fn)
        try:
            os.link(path, dest)
        except OSError:
            shutil.copyfile(path, dest)
        size, sha, md5 = digests[path]
        section = "packages.conda" if ext == ".conda" else "packages"
        repodata[subdir][section][new_fn] = {
            "build": "h%05d_0" % i, "build_number": 0, "depends": [], "md5": md5, "name": name,
            "sha256": sha, "size": size, "subdir": subdir, "version": version}
    for subdir, rd in repodata.items():
        with open(os.path.join(out, subdir, "repodata.json"), "w") as f:
            json.dump(rd, f, sort_keys=True, separators=(",", ":"))


if __name__ == "__main__":
    main()
