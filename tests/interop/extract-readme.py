#!/usr/bin/python3
"""Write the README's C block marked 'readme: compile-only' (the bot in a
page) to a file, so that the interop suite builds and runs it.
usage: extract-readme.py README.md OUT.c"""
import re
import sys

text = open(sys.argv[1], encoding='utf-8').read()
blocks = re.findall(r'^```c\n(.*?)^```', text, re.S | re.M)
bots = [b for b in blocks if 'readme: compile-only (tests/interop runs it against Prosody)' in b]
if len(bots) != 1:
    sys.exit(f'expected one README block marked compile-only, found {len(bots)}')
open(sys.argv[2], 'w', encoding='utf-8').write(bots[0])
