"""Pathological input stays linear: each case read at n and 10n in a fresh process must
stay within its time budget with t(10n)/t(n) < 25 (linear is 10, quadratic 100)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sitebuild import env

HEAD = "---\\ntitle: T\\ndate: 2026-11-27T09:00:00+00:00\\nsources:\\n  c: https://www.cnbc.com/a\\n---\\n"
CASES = {
    "unclosed brackets": '"[" * n',
    "unclosed links": '"[a](" * n',
    "unclosed images": '"![a](" * n',
    "emphasis runs": '"*a_" * n',
    "strong runs": '"**a" * n',
    "escaped backticks": '"\\\\`a`" * n',
    "backtick runs": '"".join("`" * (i % 7 + 1) + "a" for i in range(n))',
    "many references": (
        '"".join(f"[r{i}]\\n" for i in range(n)) + "\\n"'
        ' + "".join(f"[r{i}]: /u{i}\\n" for i in range(n))'
    ),
    "nested block quotes": '"> " * n + "x"',
    "nested list markers": '"- " * n + "x"',
    "unclosed citation groups": '"(cnbc.com, " * n',
    "open parentheses": '"(" * n',
    "unclosed key groups": '"[@c; " * n',
    "many citations in one paragraph": '"said so (cnbc.com) " * n',
    "many source-like parentheses": '"(a.example.com) " * n',
    "long tables": '"|a|b|\\n|-|-|\\n" + "|x|(cnbc.com)|\\n" * n',
}
SCRIPT = """
import json, sys, time
from briefing.core.story import StoryReader
reader = StoryReader()
body = lambda n: eval(sys.argv[1], {"n": n})
head = sys.argv[2].encode().decode("unicode_escape")
def timed(n):
    data = (head + body(n)).encode()
    best = None
    for _ in range(3):
        t = time.perf_counter(); reader.read_bytes(data, "s.md")
        t = time.perf_counter() - t
        best = t if best is None else min(best, t)
    return best
timed(50)  # warm up
n = int(sys.argv[3])
print(json.dumps([timed(n), timed(10 * n)]))
"""


@pytest.mark.parametrize("case", list(CASES))
def test_linear(case):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, CASES[case], HEAD, "1000"],
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    small, large = json.loads(result.stdout)
    assert large < 10.0, f"{case}: {large:.2f} s at 10n"
    ratio = large / max(small, 0.002)  # below 2 ms, timer noise dominates
    assert ratio < 25, f"{case}: t(10n)/t(n) = {ratio:.1f} ({small:.4f} s → {large:.4f} s)"
