"""Checks that the code blocks of a Markdown document are the files they
claim to be, so that what the reader copies is what the tests build and run.

Every fenced code block must be preceded by one of these comments:
    <!-- include: PATH -->            the block is the whole file PATH
    <!-- include: PATH#SECTION -->    the block is the lines between
                                      "# [SECTION]" and "# [end]" of PATH
    <!-- not-run: REASON -->          output or illustration, not a command
PATH is relative to the source root.  With --all-sections, every section of
every included file must also appear in some document, so that the test
running the file's sections runs exactly the commands the reader sees.
With --max-lines PATH=N, PATH may have at most N lines.  With --fix, the
included blocks are rewritten from the files instead (after editing a file).

usage: check_doc_blocks.py ROOT [--fix] [--all-sections] [--max-lines PATH=N] DOC.md...
Prints one line per problem; exits 1 if there is any.
"""

import os
import re
import sys

MARK = re.compile(r"^<!-- (include|not-run): (.+?) -->$")
SECTION = re.compile(r"^# \[([a-z0-9_-]+)\]$")


def sections(path):
    """{name: text} of the "# [name]" ... "# [end]" blocks of a file."""
    found, name, lines = {}, None, []
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            m = SECTION.match(line)
            if m and m.group(1) == "end" and name:
                found[name] = "\n".join(lines) + "\n"
                name = None
            elif m and m.group(1) != "end":
                name, lines = m.group(1), []
            elif name:
                lines.append(line)
    return found


def blocks(doc):
    """(line number, marker or None, block text, end line) for every fenced block."""
    lines = open(doc, encoding="utf-8").read().split("\n")
    out, i = [], 0
    while i < len(lines):
        fence = re.match(r"^(```+|~~~+)", lines[i])
        if not fence:
            i += 1
            continue
        start, j = i, i + 1
        while j < len(lines) and not lines[j].startswith(fence.group(1)):
            j += 1
        mark = MARK.match(lines[start - 1]) if start > 0 else None
        out.append((start + 1, mark, "\n".join(lines[start + 1:j]) + "\n", j))
        i = j + 1
    return out


def main(argv):
    root, docs, all_sections, max_lines, fix = argv[1], [], False, {}, False
    args = iter(argv[2:])
    for a in args:
        if a == "--fix":
            fix = True
        elif a == "--all-sections":
            all_sections = True
        elif a == "--max-lines":
            path, n = next(args).rsplit("=", 1)
            max_lines[path] = int(n)
        else:
            docs.append(a)
    problems, used = [], {}
    for doc in docs:
        replace = []  # (first line, end line, new text) for --fix
        for line, mark, text, end in blocks(doc):
            where = "%s:%d" % (doc, line)
            if not mark:
                problems.append("%s: code block without <!-- include: ... --> or "
                                "<!-- not-run: ... -->" % where)
                continue
            if mark.group(1) == "not-run":
                continue
            target = mark.group(2)
            path, _, section = target.partition("#")
            full = os.path.join(root, path)
            if not os.path.isfile(full):
                problems.append("%s: includes %s, which does not exist" % (where, path))
                continue
            if section:
                want = sections(full).get(section)
                used.setdefault(path, set()).add(section)
            else:
                want = open(full, encoding="utf-8").read()
            if want is None:
                problems.append("%s: %s has no section [%s]" % (where, path, section))
            elif want != text and fix:
                replace.append((line, end, want))
            elif want != text:
                problems.append("%s: the block differs from %s; copy the file into the "
                                "document again" % (where, target))
        if replace:
            lines = open(doc, encoding="utf-8").read().split("\n")
            for first, end, want in reversed(replace):
                lines[first:end] = want.rstrip("\n").split("\n")
            with open(doc, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
            print("%s: rewrote %d block(s)" % (doc, len(replace)))
    if all_sections:
        for path, seen in used.items():
            for name in sections(os.path.join(root, path)):
                if name not in seen:
                    problems.append("%s: section [%s] is run by the tests but shown in no "
                                    "document" % (path, name))
    for path, n in max_lines.items():
        count = len(open(os.path.join(root, path), encoding="utf-8").read().splitlines())
        if count > n:
            problems.append("%s: %d lines, the documents promise at most %d" % (path, count, n))
    for p in problems:
        print(p)
    print("%d document(s) checked, %d problem(s)" % (len(docs), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
