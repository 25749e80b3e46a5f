#!/usr/bin/env python3
"""Size and shape limits of the workspace (the targets in the README's architecture section).

Prints every offender and exits 1 when any of these holds, 0 otherwise:

- `sim/cli/src` holds more than 3,500 lines in total, or one of its files more than 300;
- a non-test file under `sim/*/src` is longer than 600 lines (inline `#[cfg(test)]` items are
  not counted);
- a non-test function is longer than 80 lines, from its `fn` line to its closing brace,
  unless ALLOWED below names it (flat matches only, each with its reason);
- two or more files of one crate import each other in a loop (`crate::…`, `super::…` paths,
  in `use` items or inline; edges between a module and its own parent modules are left out,
  because a parent re-exporting its child is how Rust modules are laid out).

Test code is skipped: files named `tests.rs`, anything under a `tests/` folder, and items
behind `#[cfg(test)]`. The measure is a brace counter over the source with comments, strings
and character literals blanked out; it does not need a Rust toolchain.

Usage: python3 tests/limits.py [--root DIR] [--quiet]
"""

import argparse
import pathlib
import re
import sys

CLI_TOTAL = 3500
CLI_FILE = 300
FILE_LINES = 600
FN_LINES = 80

# Functions allowed past FN_LINES because their body is one flat match (one arm per case,
# nothing nested worth a function of its own). Key: "path/from/root.rs::fn_name", value: the
# reason. Empty today: every long function measured so far does more than one flat match
# (e.g. bench's Display impl and the Prometheus encoder write several sections each).
ALLOWED = {
}


def blank(text):
    """The source with comments, strings and char literals replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if c == "/" and nxt == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c == "/" and nxt == "*":
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 300]) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + len(hashes) + 2)
            j = n if end < 0 else end + 1 + len(hashes)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "'":
            # A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a): only the first is blanked.
            m = re.match(r"'(\\u\{[0-9a-fA-F]+\}|\\.|[^\\'\n])'", text[i:i + 12])
            if m:
                out.append(" " * len(m.group(0)))
                i += len(m.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def matching(src, open_at):
    """Index of the brace closing the one at open_at."""
    depth = 0
    for j in range(open_at, len(src)):
        if src[j] == "{":
            depth += 1
        elif src[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(src) - 1


def item_end(src, start):
    """End of the item starting at start: its block's closing brace, or its `;`."""
    depth = 0
    for j in range(start, len(src)):
        ch = src[j]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == ";" and depth == 0:
            return j
        elif ch == "{" and depth == 0:
            return matching(src, j)
    return len(src) - 1


def test_spans(src):
    """Character ranges of items behind #[cfg(test)] (modules, functions, impls)."""
    spans = []
    for m in re.finditer(r"#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]", src):
        k = m.end()
        while True:  # further attributes on the same item
            a = re.match(r"\s*#\s*\[", src[k:])
            if not a:
                break
            depth, j = 0, k + a.end() - 1
            while j < len(src):
                if src[j] == "[":
                    depth += 1
                elif src[j] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            k = j + 1
        spans.append((m.start(), item_end(src, k)))
    return spans


def line_of(src, at):
    return src.count("\n", 0, at) + 1


def is_test_file(rel):
    parts = rel.parts
    return rel.name == "tests.rs" or "tests" in parts[:-1]


def functions(src, spans):
    """(name, first line, line count) of every function with a body outside test spans."""
    found = []
    for m in re.finditer(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)", src):
        if any(a <= m.start() <= b for a, b in spans):
            continue
        end = item_end(src, m.end())
        if src[end] != "}":
            continue  # a declaration without a body
        first, last = line_of(src, m.start()), line_of(src, end)
        found.append((m.group(1), first, last - first + 1))
    return found


def counted_lines(src, spans):
    """Lines of the file that are not inside a test span."""
    total = src.count("\n") + (0 if src.endswith("\n") else 1)
    test_lines = set()
    for a, b in spans:
        test_lines.update(range(line_of(src, a), line_of(src, b) + 1))
    return total - len(test_lines)


def module_path(src_dir, path):
    """The module path of a source file: src/lib.rs -> (), src/a/mod.rs -> (a,), src/a/b.rs -> (a, b)."""
    rel = path.relative_to(src_dir).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts.pop()
    return tuple(parts)


def expand_group(text):
    """Paths named by a `use` tree's body: `a, b::{c, d}, e::F` -> [a], [b, c], [b, d], [e, F]."""
    paths, depth, cur = [], 0, ""
    pieces = []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            pieces.append(cur)
            cur = ""
        else:
            cur += ch
    pieces.append(cur)
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        m = re.match(r"([A-Za-z0-9_:\s]*?)::\s*\{(.*)\}\s*$", piece, re.S)
        if m:
            head = [s for s in re.split(r"\s*::\s*", m.group(1).strip()) if s]
            for tail in expand_group(m.group(2)):
                paths.append(head + tail)
        else:
            name = re.split(r"\s+as\s+", piece)[0]
            paths.append([s for s in re.split(r"\s*::\s*", name.strip()) if s])
    return paths


def references(src, here):
    """Module paths (tuples) this file names through crate:: and super:: paths."""
    refs = []
    for m in re.finditer(r"\b(crate|super)\s*::\s*", src):
        if m.group(1) == "super" and m.start() >= 5 and re.search(r"\bsuper\s*::\s*$", src[: m.start()]):
            continue  # counted with the first `super::` of a `super::super::` chain
        if re.search(r"\bin\s+$", src[max(0, m.start() - 8): m.start()]):
            continue  # `pub(in crate::x)` names a visibility, not a dependency
        base = () if m.group(1) == "crate" else here[:-1]
        k = m.end()
        while True:  # super::super::…
            s = re.match(r"super\s*::\s*", src[k:])
            if not s:
                break
            base, k = base[:-1], k + s.end()
        if src[k:k + 1] == "{":
            paths = expand_group(src[k + 1:matching(src, k)])
        else:
            p = re.match(r"[A-Za-z_][A-Za-z0-9_]*(\s*::\s*[A-Za-z_][A-Za-z0-9_]*)*", src[k:])
            if not p:
                continue
            paths = [re.split(r"\s*::\s*", p.group(0))]
        refs.extend(base + tuple(x for x in path if x != "self") for path in paths)
    return refs


def resolve(modules, path):
    """The longest module prefix of path that is a file of this crate."""
    for i in range(len(path), -1, -1):
        if path[:i] in modules:
            return path[:i]
    return None


def cycles(graph):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def check(root):
    problems = []
    sim = root / "sim"
    cli_total = 0
    for crate in sorted(p for p in sim.iterdir() if (p / "src").is_dir()):
        src_dir = crate / "src"
        modules, graph = {}, {}
        for path in sorted(src_dir.rglob("*.rs")):
            rel = path.relative_to(root)
            if is_test_file(path.relative_to(src_dir)):
                continue
            text = path.read_text(encoding="utf-8")
            src = blank(text)
            spans = test_spans(src)
            lines = counted_lines(src, spans)
            if crate.name == "cli":
                cli_total += lines
                if lines > CLI_FILE:
                    problems.append(f"{rel}: {lines} lines (sim/cli files: at most {CLI_FILE})")
            if lines > FILE_LINES:
                problems.append(f"{rel}: {lines} lines (at most {FILE_LINES})")
            for name, first, count in functions(src, spans):
                key = f"{rel.as_posix()}::{name}"
                if count > FN_LINES and key not in ALLOWED:
                    problems.append(f"{rel}:{first}: fn {name} is {count} lines (at most {FN_LINES})")
            here = module_path(src_dir, path)
            modules[here] = rel
            kept = src
            for a, b in reversed(spans):
                kept = kept[:a] + kept[b + 1:]
            graph[here] = references(kept, here)
        edges = {}
        for here, refs in graph.items():
            for ref in refs:
                target = resolve(modules, ref)
                if target is None or target == here:
                    continue
                if target == here[: len(target)] or here == target[: len(here)]:
                    continue  # a module and its parent
                edges.setdefault(here, set()).add(target)
        for comp in cycles(edges):
            names = " <-> ".join(modules[m].relative_to(crate.relative_to(root) / "src").as_posix() for m in comp)
            problems.append(f"{crate.relative_to(root)}: files import each other in a loop: {names}")
    if cli_total > CLI_TOTAL:
        problems.append(f"sim/cli/src: {cli_total} lines in total (at most {CLI_TOTAL})")
    return problems, cli_total


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent,
                        help="the workspace root (default: the parent of this script's folder)")
    parser.add_argument("--quiet", action="store_true", help="print offenders only, no summary")
    args = parser.parse_args()
    if not (args.root / "sim").is_dir():
        print(f"limits: {args.root}: no sim/ folder here", file=sys.stderr)
        return 2
    problems, cli_total = check(args.root)
    for line in problems:
        print(line)
    if not args.quiet:
        print(f"limits: sim/cli/src {cli_total} lines; {len(problems)} offender(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
