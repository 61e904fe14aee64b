#!/usr/bin/env python3
"""Lines per crate and the longest functions of the library and binary code (not tests).

Usage: bench/longest-functions.py [GIT-REV]   (default: the work tree)
A function runs from its `fn` line to the first line that closes it at the same indent."""
import re, subprocess, sys
from collections import Counter

rev = sys.argv[1] if len(sys.argv) > 1 else None
if rev:
    files = subprocess.run(["git", "ls-tree", "-r", "--name-only", rev, "crates"], capture_output=True, text=True).stdout.split()
    read = lambda p: subprocess.run(["git", "show", f"{rev}:{p}"], capture_output=True, text=True).stdout
else:
    files = subprocess.run(["git", "ls-files", "crates"], capture_output=True, text=True).stdout.split()
    read = lambda p: open(p).read()
files = [f for f in files if f.endswith(".rs") and "/src/" in f]
per_crate, fns = Counter(), []
fn_re = re.compile(r"^(\s*)(pub(\([a-z]+\))? )?(async )?(const )?(unsafe )?fn (\w+)")
for f in files:
    lines = read(f).split("\n")
    # Unit tests at the end of a file are not counted.
    end = next((i for i, l in enumerate(lines) if l.startswith("#[cfg(test)]")), len(lines))
    lines = lines[:end]
    per_crate[f.split("/")[1]] += len(lines)
    for i, l in enumerate(lines):
        m = fn_re.match(l)
        if not m or l.rstrip().endswith(";"):
            continue
        indent = m.group(1)
        for j in range(i + 1, len(lines)):
            if lines[j] == indent + "}":
                fns.append((j - i + 1, f"{f}:{i + 1}", m.group(7)))
                break
print("lines per crate (src, without unit tests):")
for c, n in sorted(per_crate.items()):
    print(f"  {c:10} {n:6}")
print(f"  {'total':10} {sum(per_crate.values()):6}")
print("longest functions:")
for n, where, name in sorted(fns, reverse=True)[:12]:
    print(f"  {n:4}  {name:28} {where}")
