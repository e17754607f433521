"""Known-vulnerability check of every pinned requirement (pip-audit, with a fallback).

pip-audit asks PyPI's per-version JSON API (``/pypi/<name>/<version>/json``) for advisories. Where
that endpoint is not reachable but the project endpoint (``/pypi/<name>/json``) is, as on this
project's build machines, the project endpoint's ``vulnerabilities`` (the same OSV data, for the
latest release) is used for pins that are the latest release. Prints one line per package and
exits 1 if any advisory is found, 2 if nothing could be checked at all.

    python scripts/audit_pins.py requirements.txt requirements-test.txt
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)")


def pins(files: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in files:
        for line in Path(f).read_text().splitlines():
            m = PIN.match(line.strip())
            if m:
                out[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return out


def pip_audit(files: list[str]) -> dict[str, dict]:
    """{name: {"version", "vulns": [...]} or {"skip": reason}} from pip-audit's JSON report."""
    args = [sys.executable, "-m", "pip_audit", "--no-deps", "--disable-pip", "--format", "json",
            "--progress-spinner", "off"]
    for f in files:
        args += ["-r", f]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return {}
    out = {}
    for d in report.get("dependencies", []):
        name = re.sub(r"[-_.]+", "-", d["name"]).lower()
        out[name] = {"skip": d["skip_reason"]} if "skip_reason" in d else {"version": d["version"], "vulns": d["vulns"]}
    return out


def project_json(name: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=20) as r:
            return json.load(r)
    except (urllib.error.URLError, TimeoutError, json.JSONDecodeError, OSError):
        return None


def _python_ok(spec: str) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return sys.version.split()[0] in SpecifierSet(spec)
    except InvalidSpecifier:
        return True


def audit(files: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(advisories found, packages checked, packages not checked) as printable lines."""
    wanted = pins(files)
    by_pip_audit = pip_audit(files)
    found, checked, unchecked = [], [], []
    for name, version in sorted(wanted.items()):
        r = by_pip_audit.get(name)
        if r and "vulns" in r:
            checked.append(f"{name}=={version} (pip-audit)")
            found += [f"{name}=={version}: {v['id']} (fix: {', '.join(v.get('fix_versions') or ['none'])})"
                      for v in r["vulns"]]
            continue
        doc = project_json(name)
        if doc is None:
            unchecked.append(f"{name}=={version}: PyPI not reachable")
            continue
        latest = doc["info"]["version"]
        if latest != version:
            needs = doc["info"].get("requires_python") or ""
            why = (f"newest for this Python; {latest} needs Python {needs}" if needs and
                   not _python_ok(needs) else f"not the latest release ({latest})")
            unchecked.append(f"{name}=={version}: {why}; advisories for older releases are not served here")
            continue
        checked.append(f"{name}=={version} (PyPI project data)")
        found += [f"{name}=={version}: {v['id']} ({', '.join(v.get('aliases') or [])})"
                  for v in doc.get("vulnerabilities") or []]
    return found, checked, unchecked


def main(argv: list[str]) -> int:
    files = argv or ["requirements.txt", "requirements-test.txt"]
    found, checked, unchecked = audit(files)
    print(f"checked {len(checked)} pinned packages, {len(unchecked)} not checked, {len(found)} advisories")
    for line in found:
        print("ADVISORY", line)
    for line in unchecked:
        print("not checked:", line)
    if found:
        return 1
    return 0 if checked else 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
