#!/usr/bin/env python3
"""Check (or rewrite) the command outputs shown in README.md and docs/*.md.

A fenced block preceded by an HTML comment

    <!-- docs: propscan analyze examples/river-plant.txt --format text -->
    ```
    ...what the command prints...
    ```

must hold exactly what COMMAND prints. The command runs through `sh -c`
from the repository root, with the build directory first on PATH so that
`propscan` is the binary just built (pipes such as `| head -n 20` work).
Trailing newlines are ignored; everything else is compared as is.

    scripts/docs.py            check; exit 1 with a diff naming file and command
    scripts/docs.py --update   rewrite the blocks with the current output

Only Python's standard library, so it runs wherever the build does.
"""

import argparse
import difflib
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^(\s*)<!--\s*docs:\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
TIMEOUT_S = 300


class DocsError(Exception):
    pass


def find_blocks(lines, path):
    """Yields (command, indent, fence, first body line, end line) per marked block."""
    i = 0
    in_fence = None
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if in_fence:
            # A marker inside another fenced block is text, not a marker.
            if fence and fence.group(2)[0] == in_fence[0] and len(fence.group(2)) >= len(in_fence) \
                    and not fence.group(3).strip():
                in_fence = None
            i += 1
            continue
        if fence:
            in_fence = fence.group(2)
            i += 1
            continue
        marker = MARKER.match(line)
        if not marker:
            i += 1
            continue
        command = marker.group(2)
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        opening = FENCE.match(lines[j]) if j < len(lines) else None
        if not opening:
            raise DocsError(f"{path}:{i + 1}: `docs:` comment not followed by a fenced block")
        indent, ticks = opening.group(1), opening.group(2)
        k = j + 1
        while k < len(lines):
            closing = FENCE.match(lines[k])
            if closing and closing.group(2)[0] == ticks[0] and len(closing.group(2)) >= len(ticks) \
                    and not closing.group(3).strip():
                break
            k += 1
        else:
            raise DocsError(f"{path}:{j + 1}: fenced block never closed")
        yield command, indent, ticks, j + 1, k
        i = k + 1


def dedent(body, indent):
    return [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in body]


def run(command, env):
    try:
        done = subprocess.run(["sh", "-c", command], cwd=ROOT, env=env, capture_output=True,
                              timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise DocsError(f"`{command}` took longer than {TIMEOUT_S} s")
    if done.returncode != 0:
        raise DocsError(f"`{command}` exited with status {done.returncode}:\n"
                        + done.stderr.decode("utf-8", "replace"))
    printed = done.stdout.decode("utf-8").rstrip("\n")
    return printed.split("\n") if printed else []


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite the blocks instead of checking them")
    parser.add_argument("--bin-dir", default=os.environ.get("PROPSCAN_BIN_DIR", str(ROOT / "build")),
                        help="directory holding the propscan binary (default: build/)")
    parser.add_argument("files", nargs="*", help="Markdown files (default: README.md and docs/*.md)")
    args = parser.parse_args()

    bin_dir = Path(args.bin_dir).resolve()
    if not (bin_dir / "propscan").is_file():
        sys.exit(f"docs.py: no propscan binary in {bin_dir} (run `make build` first)")
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    # Output must not depend on the terminal or the locale of whoever runs it.
    env["LC_ALL"] = "C.UTF-8"
    env.pop("NO_COLOR", None)

    files = [Path(f) for f in args.files] or [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    failed = checked = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        name = os.path.relpath(path, ROOT)
        replacements = []
        try:
            blocks = list(find_blocks(lines, name))
            for command, indent, ticks, start, end in blocks:
                checked += 1
                try:
                    output = run(command, env)
                except DocsError as error:
                    raise DocsError(f"{name}:{start}: {error}")
                shown = dedent(lines[start:end], indent)
                while shown and not shown[-1].strip():
                    shown.pop()
                if shown == output:
                    continue
                if args.update:
                    if any(FENCE.match(line) and line.lstrip().startswith(ticks) for line in output):
                        raise DocsError(f"{name}: output of `{command}` holds a {ticks} line; "
                                        "use a longer fence")
                    replacements.append((start, end, [indent + line if line else line for line in output]))
                    print(f"docs.py: updated {name}: {command}")
                else:
                    failed += 1
                    print(f"docs.py: {name}:{start}: output of `{command}` differs from the block:")
                    sys.stdout.writelines(difflib.unified_diff(
                        [line + "\n" for line in shown], [line + "\n" for line in output],
                        f"{name} (shown)", f"{command} (printed)"))
        except DocsError as error:
            print(f"docs.py: {error}", file=sys.stderr)
            return 1
        if replacements:
            for start, end, new in reversed(replacements):
                lines[start:end] = new
            path.write_text("\n".join(lines), encoding="utf-8")

    if failed:
        print(f"docs.py: {failed} of {checked} blocks differ; `make docs-update` rewrites them")
        return 1
    print(f"docs.py: {checked} block(s) {'checked' if args.update else 'up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
