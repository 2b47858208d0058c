"""The repository stands on its own: nothing in it points outside it, and its links resolve.

Run from the repository's root: /usr/bin/python3 -m unittest tests/e2e/docs_test.py -v
(no running system needed; scripts/test runs it with the other end-to-end tests).

What it checks, over every file git tracks (or every file under the root without git):
- no text file names a place outside the repository: the sibling folder of the project's
  original hand-over (`..` + `/shared`) or a checkout path of the machine it was written on;
- every Markdown link or image in a tracked `.md` file that is relative resolves to a file or
  folder inside the repository, and a `#fragment` names a heading of the file it points to;
- no Markdown link climbs out of the repository (`../../elsewhere`).
"""

import os
import re
import subprocess
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Spelled in pieces so that this file does not match itself.
OUTSIDE = re.compile("|".join([re.escape(".." + "/shared"), r"/work/(?:main|shared|wt)\b"]))
# [text](target) and ![alt](target); the target ends at whitespace or ")" (an optional "title").
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~)")


def tracked_files():
    try:
        out = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"], check=True,
                             capture_output=True).stdout
        names = [n for n in out.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = []
        for folder, dirs, files in os.walk(ROOT):
            dirs[:] = [d for d in dirs if d not in (".git", "node_modules", "build", ".stack")]
            names += [os.path.relpath(os.path.join(folder, f), ROOT) for f in files]
    return sorted(n for n in names if os.path.isfile(os.path.join(ROOT, n)))


def read_text(name):
    """The file's text, or None for a binary file."""
    with open(os.path.join(ROOT, name), "rb") as f:
        data = f.read()
    if b"\0" in data:
        return None
    return data.decode("utf-8", errors="replace")


def prose_lines(text):
    """(line number, line) outside fenced code blocks: links in code are not links."""
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            yield number, re.sub(r"`[^`]*`", "", line)


def anchors(text):
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    found = set()
    for _, line in prose_lines(text):
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            base, n = slug, 1
            while slug in found:
                slug, n = f"{base}-{n}", n + 1
            found.add(slug)
    return found


def link_problems(name, text):
    problems = []
    for number, line in prose_lines(text):
        for target in LINK.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto:
                continue
            path, _, fragment = target.partition("#")
            if path.startswith("/"):
                problems.append(f"{name}:{number}: {target} is an absolute path")
                continue
            where = os.path.normpath(os.path.join(ROOT, os.path.dirname(name), path))
            if os.path.relpath(where, ROOT).startswith(".."):
                problems.append(f"{name}:{number}: {target} points outside the repository")
                continue
            if not os.path.exists(where):
                problems.append(f"{name}:{number}: {target} does not exist")
                continue
            if fragment and where.endswith(".md"):
                with open(where, encoding="utf-8") as f:
                    if fragment.lower() not in anchors(f.read()):
                        problems.append(f"{name}:{number}: {target}: no heading #{fragment}")
    return problems


class RepositoryStandsAloneTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.files = tracked_files()

    def test_the_files_are_found(self):
        for name in ("README.md", "docs/api.md", "docs/architecture.md", "docs/events.md"):
            self.assertTrue(name in self.files, f"{name} is not tracked")

    def test_no_file_names_a_place_outside_the_repository(self):
        problems = []
        for name in self.files:
            text = read_text(name)
            if text is None:
                continue
            for number, line in enumerate(text.splitlines(), 1):
                if OUTSIDE.search(line):
                    problems.append(f"{name}:{number}: {line.strip()[:120]}")
        self.assertEqual(problems, [], "\n".join(problems))

    def test_every_relative_markdown_link_resolves_inside_the_repository(self):
        problems = []
        checked = 0
        for name in self.files:
            if not name.endswith(".md"):
                continue
            text = read_text(name)
            if text is None:
                continue
            checked += len(LINK.findall(text))
            problems += link_problems(name, text)
        self.assertGreater(checked, 5, "no Markdown links were found")
        self.assertEqual(problems, [], "\n".join(problems))

    def test_the_link_check_catches_a_broken_and_an_escaping_link(self):
        # The checker itself: a link to nothing, one out of the repository, a missing heading.
        text = ("[a](docs/no-such-file.md) [b](../../etc/passwd) [c](README.md#no-such-heading)"
                " [d](docs/api.md) `[e](nowhere.md)`")
        problems = link_problems("README.md", text)
        self.assertEqual(len(problems), 3, problems)
        self.assertTrue(OUTSIDE.search("see " + ".." + "/shared/API.md"))


if __name__ == "__main__":
    unittest.main()
