#!/usr/bin/python3
"""Generates a 500,000-record linux-64 repodata.json (+ its noarch) from the shapes of the
real conda-forge fixture records, for bench/selection.

Each real record is copied into U "universes" (names get a -u<k> suffix, and so do the
dependency names that exist in the fixtures, so every universe is a closed world like the
original) and V version copies (version + ".90<vv>", which keeps `3.9.*`, `>=3.4,<4.0a0` and
friends matching). Other fields (hashes, sizes, licenses, timestamps) are kept as they are.

usage: make_repodata.py OUT_DIR [--records 500000]
"""
import argparse
import json
import os

FIXTURES = os.path.join(os.path.dirname(__file__), "../../../shared/fixtures/repodata/conda-subchannel-demo")
UNIVERSES = 10


def load(subdir):
    with open(os.path.join(FIXTURES, subdir, "repodata.json")) as f:
        data = json.load(f)
    out = []
    for section in ("packages", "packages.conda"):
        for fn, rec in sorted(data.get(section, {}).items()):
            out.append((".conda" if section == "packages.conda" else ".tar.bz2", rec))
    return out


def rename(text, names, suffix):
    if not suffix:
        return text
    head, sep, rest = text.partition(" ")
    return (head + suffix if head in names else head) + sep + rest


def copies(records, names, universe, version_copy):
    suffix = f"-u{universe}" if universe else ""
    for ext, rec in records:
        r = dict(rec)
        r["name"] = rec["name"] + suffix
        if version_copy:
            r["version"] = f"{rec['version']}.90{version_copy:02d}"  # no clash with real versions
        r["depends"] = [rename(d, names, suffix) for d in rec.get("depends", [])]
        if "constrains" in rec:
            r["constrains"] = [rename(d, names, suffix) for d in rec["constrains"]]
        yield f"{r['name']}-{r['version']}-{r['build']}{ext}", ext, r


def write(path, subdir, records, names, limit):
    packages, conda = {}, {}
    count = 0
    version_copy = 0
    while count < limit:
        for universe in range(UNIVERSES):
            for fn, ext, r in copies(records, names, universe, version_copy):
                if count == limit:
                    break
                (conda if ext == ".conda" else packages)[fn] = r
                count += 1
        version_copy += 1
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"info": {"subdir": subdir}, "packages": packages, "packages.conda": conda,
                   "repodata_version": 1}, f, sort_keys=True, separators=(",", ":"))
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--records", type=int, default=500_000)
    args = parser.parse_args()
    linux, noarch = load("linux-64"), load("noarch")
    names = {r["name"] for _, r in linux + noarch}
    n = write(os.path.join(args.out, "linux-64/repodata.json"), "linux-64", linux, names,
              args.records)
    # noarch scaled like linux-64 (205 real records per 2709).
    m = write(os.path.join(args.out, "noarch/repodata.json"), "noarch", noarch, names,
              args.records * len(noarch) // len(linux))
    print(f"linux-64: {n} records, noarch: {m} records in {args.out}")


if __name__ == "__main__":
    main()
