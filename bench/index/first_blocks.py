#!/usr/bin/python3
"""Decodes the first bzip2 block of each .tar.bz2 named on stdin, then stops.

bzip2 yields no byte of a block before the whole block is decoded, so this is the least any
reader must do to see a .tar.bz2's info/index.json. It uses libbz2 (through Python's bz2
module), the library every indexer uses; bench/index/run.sh adds it to the hashing floor.
"""
import bz2
import sys

for line in sys.stdin:
    decoder = bz2.BZ2Decompressor()
    with open(line.rstrip("\n"), "rb") as package:
        while chunk := package.read(1 << 16):
            if decoder.decompress(chunk, max_length=1):
                break
