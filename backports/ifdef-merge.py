#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""usage: backports/ifdef-merge.py PRISTINE OUT COND=PATCHED...

Merges several rewritten copies of one source tree into one tree that
builds on every kernel: each PATCHED directory is PRISTINE with one
Coccinelle backport applied, and COND is the preprocessor test under
which that backport is wanted ("!HAVE_X" for "sfab-unless: HAVE_X",
"HAVE_X" for "sfab-if: HAVE_X"). Every line range a backport changes
becomes

    #if COND
    <the backport's lines>
    #else
    <the upstream lines>
    #endif

so that the compile probes (compat/sfab_autoconf.h, force-included)
choose at build time what backports/apply.sh chooses per kernel. This is
how a DKMS package carries the backports to a machine with no spatch.

Two backports that change overlapping lines of a file cannot be merged
line by line; that is an error naming both. Insertions at one place are
kept in the order of the arguments, which is the order apply.sh applies
them in. ci/build.sh checks the result against apply.sh for each target
(unifdef with that target's probe answers must give apply.sh's output).
"""
import difflib
import os
import shutil
import sys


def edits(old, new):
    """(start, end, lines): old[start:end] becomes lines."""
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [(i1, i2, new[j1:j2])
            for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != 'equal']


def directive(cond):
    if cond.startswith('!'):
        return '#if !defined(%s)\n' % cond[1:]
    return '#if defined(%s)\n' % cond


def merge(old, changes, name):
    """changes: [(cond, label, [(start, end, lines)])] in apply order."""
    flat = []
    for order, (cond, label, eds) in enumerate(changes):
        for start, end, lines in eds:
            flat.append((start, end, order, cond, label, lines))
    flat.sort(key=lambda e: (e[0], e[1] != e[0], e[2]))
    for a, b in zip(flat, flat[1:]):
        # b starts inside a's replaced range, or both replace from one line.
        if b[0] < a[1] or (a[0] == b[0] and a[1] > a[0] and b[1] > b[0]):
            sys.exit('ifdef-merge.py: %s and %s change overlapping lines of '
                     '%s (%d-%d, %d-%d); make one backport cover both'
                     % (a[4], b[4], name, a[0] + 1, a[1], b[0] + 1, b[1]))
    out = []
    pos = 0
    for start, end, _, cond, label, lines in flat:
        out.extend(old[pos:start])
        if lines:
            out.append(directive(cond))
            out.extend(lines)
            if end > start:
                out.append('#else\n')
                out.extend(old[start:end])
        else:
            # A deletion: keep upstream's lines unless COND holds.
            out.append(directive(cond[1:] if cond.startswith('!')
                                 else '!' + cond))
            out.extend(old[start:end])
        out.append('#endif /* %s */\n' % label)
        pos = max(pos, end)
    out.extend(old[pos:])
    return out


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.readlines()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    pristine, out = sys.argv[1], sys.argv[2]
    patched = []
    for arg in sys.argv[3:]:
        cond, sep, path = arg.partition('=')
        if not sep or not os.path.isdir(path):
            sys.exit('ifdef-merge.py: %s is not COND=DIRECTORY' % arg)
        patched.append((cond, os.path.basename(path.rstrip('/')), path))
    if os.path.exists(out):
        shutil.rmtree(out)
    shutil.copytree(pristine, out)
    for dirpath, _, files in os.walk(pristine):
        for f in files:
            if not f.endswith(('.c', '.h')):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), pristine)
            old = read(os.path.join(pristine, rel))
            changes = []
            for cond, label, path in patched:
                new = read(os.path.join(path, rel))
                if new != old:
                    changes.append((cond, label, edits(old, new)))
            if changes:
                with open(os.path.join(out, rel), 'w', encoding='utf-8') as fo:
                    fo.writelines(merge(old, changes, rel))


if __name__ == '__main__':
    main()
