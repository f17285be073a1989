#!/usr/bin/python3
"""Decodes the first bzip2 block of each .tar.bz2 named on stdin, then stops.

bzip2 yields no byte of a block before the whole block is decoded, so this is the least a
reader built on libbz2 (here through Python's bz2 module; conda-index and rattler-index use it
too) must do to see a .tar.bz2's info/index.json. bench/index/run.sh adds it to the hashing
floor. chanmirror's own decoder (io/bzip2_reader.hpp) does the same work in less time.
"""
import bz2
import sys

for line in sys.stdin:
    decoder = bz2.BZ2Decompressor()
    with open(line.rstrip("\n"), "rb") as package:
        while chunk := package.read(1 << 16):
            if decoder.decompress(chunk, max_length=1):
                break
