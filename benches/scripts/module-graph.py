#!/usr/bin/env python3
"""The runtime's layout in numbers: files, lines of code, and import cycles.

    python3 benches/scripts/module-graph.py [runtime/src] [--edges]

Prints every `.rs` file with its lines of code (not blank, not a comment
or doc line, `#[cfg(test)] mod tests` left out) and its total lines, the
`.rs` files at the root, and each import cycle: a strongly connected
component of the graph in which a file points at every file whose items it
names through `crate::` or `super::` paths. An item named through a
`mod.rs` re-export counts against the file that defines it, so a facade's
`pub use` makes no cycle by itself. `--edges` also lists every file's
edges. The figures of a layout change are this script run before and
after it.
"""
import os
import re
import sys


def code_lines(text):
    """Lines of code: no blank, comment or doc lines, no test module."""
    lines = text.split("\n")
    count, i = 0, 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("#[cfg(test)]") and i + 1 < len(lines) and lines[i + 1].strip().startswith("mod "):
            depth, i = 0, i + 1
            while i < len(lines):
                depth += lines[i].count("{") - lines[i].count("}")
                i += 1
                if depth <= 0 and "{" in "".join(lines[:i]):
                    break
            continue
        if line and not line.startswith("//"):
            count += 1
        i += 1
    return count


def strip(text):
    """The source without comments and without its test module."""
    text = re.sub(r"//[^\n]*", "", text)
    return text.split("#[cfg(test)]\nmod tests")[0]


def modules(root):
    """Module path (a tuple) -> file, for every `.rs` file under root."""
    found = {}
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".rs"):
                path = os.path.relpath(os.path.join(folder, name), root)
                parts = path[:-3].split("/")
                if parts[-1] in ("mod", "lib"):
                    parts = parts[:-1]
                found[tuple(parts)] = path
    return found


def is_facade(path):
    return path.endswith("mod.rs") or path.endswith("lib.rs")


def graph(root, mods):
    """File -> the files it names."""
    reexports = {}
    for module, path in mods.items():
        if not is_facade(path):
            continue
        src = strip(open(os.path.join(root, path)).read())
        pattern = r"pub(?:\([a-z]+\))? use (?:self::)?([a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)*)::(?:\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))"
        for m in re.finditer(pattern, src):
            segs = m.group(1).split("::")
            base = segs[1:] if segs[0] == "crate" else list(module) + segs
            for item in (m.group(2).split(",") if m.group(2) else [m.group(3)]):
                names = [x.strip() for x in item.strip().split(" as ")]
                if names[0]:
                    reexports[(module, names[-1])] = base + [names[0]]

    def resolve(segs):
        for i in range(len(segs), 0, -1):
            module = tuple(segs[:i])
            if module in mods:
                if i < len(segs) and (module, segs[i]) in reexports:
                    target = resolve(reexports[(module, segs[i])] + segs[i + 1:])
                    if target:
                        return target
                return module
        return None

    edges = {m: set() for m in mods}
    for module, path in mods.items():
        src = strip(open(os.path.join(root, path)).read())
        parent = list(module[:-1])

        def base_of(kind):
            return [] if kind == "crate" else parent

        def add(segs):
            target = resolve(segs)
            if target and target != module and target != ():
                edges[module].add(target)

        for m in re.finditer(r"\b(crate|super)((?:::[a-z_][a-z0-9_]*)*)(?:::([A-Z][A-Za-z0-9_]*))?", src):
            if src[m.end():m.end() + 3] == "::{" or not (m.group(2) or m.group(3)):
                continue
            segs = (m.group(2).split("::")[1:] if m.group(2) else []) + ([m.group(3)] if m.group(3) else [])
            add(base_of(m.group(1)) + segs)
        for m in re.finditer(r"\buse (crate|super)((?:::[a-z_][a-z0-9_]*)*)::\{([^}]*)\}", src):
            segs = m.group(2).split("::")[1:] if m.group(2) else []
            for item in m.group(3).split(","):
                item = item.strip().split("::")[0].strip()
                if item and item != "self":
                    add(base_of(m.group(1)) + segs + [item])
        if is_facade(path):
            # A facade's private `use child::…` (its own `pub use` is a re-export).
            for m in re.finditer(r"(?<!pub )(?<!pub\(crate\) )(?<!pub\(super\) )\buse (?:self::)?([a-z_][a-z0-9_]*)((?:::[a-z_][a-z0-9_]*)*)", src):
                if m.group(1) not in ("crate", "super", "std", "core", "alloc"):
                    add(list(module) + [m.group(1)] + m.group(2).split("::")[1:])
    return edges


def cycles(edges):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in edges:
        if v not in index:
            visit(v)
    return found


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    root = args[0] if args else "runtime/src"
    mods = modules(root)
    name = lambda m: "/".join(m) or "lib"
    total_code = total_lines = 0
    for module, path in sorted(mods.items(), key=lambda kv: kv[1]):
        text = open(os.path.join(root, path)).read()
        code, lines = code_lines(text), text.count("\n")
        total_code += code
        total_lines += lines
        print(f"{code:5d} {lines:5d}  {path}")
    at_root = [f for f in os.listdir(root) if f.endswith(".rs")]
    print(f"{len(mods)} files, {total_code} lines of code, {total_lines} lines; {len(at_root)} .rs files at the root")
    edges = graph(root, mods)
    for component in cycles(edges):
        members = set(component)
        print(f"cycle of {len(component)}: {' '.join(sorted(name(m) for m in component))}")
        for m in sorted(component):
            print(f"    {name(m)} -> {' '.join(sorted(name(t) for t in edges[m] if t in members))}")
    if "--edges" in sys.argv:
        for m in sorted(edges):
            print(f"{name(m)} -> {' '.join(sorted(name(t) for t in edges[m]))}")


if __name__ == "__main__":
    main()
