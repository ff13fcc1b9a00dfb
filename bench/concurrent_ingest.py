"""Concurrent writers: several ``manage.py ingest`` runs of one folder at once, into a fresh SQLite file.

    DEBUG=1 .venv/bin/python bench/concurrent_ingest.py [--writers 2] [--copies 5] [--database-url URL]

Copies the development corpus's pages (``corpus/pages/*/*.txt``) ``--copies`` times into a
folder (each copy a distinct report: one more sentence at its end), migrates a new SQLite
database (or migrates ``--database-url``, which should name an empty database), and starts ``--writers``
ingests of the folder at the same moment. Prints, per writer, its count of each status and the
failures' reasons, then the cases in the archive against the reports in the folder, and the
wall time. Every report should be created by one writer and be ``unchanged`` for the others.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        pages = sorted((ROOT / "corpus" / "pages").glob("*/*.txt"))
        for copy in range(args.copies):
            for page in pages:
                text = page.read_text(encoding="utf-8", errors="replace")
                (folder / f"{copy}-{page.name}").write_text(text + f"\n第{copy}份副本。\n", encoding="utf-8")
        url = args.database_url or f"sqlite:///{Path(tmp) / 'archive.sqlite3'}"
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url, "CONN_MAX_AGE": "0"}
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        started = time.perf_counter()
        writers = [
            subprocess.Popen([sys.executable, "manage.py", "ingest", str(folder)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            for _ in range(args.writers)
        ]
        outputs = [w.communicate()[0] for w in writers]
        elapsed = time.perf_counter() - started
        reports = len(pages) * args.copies
        for n, out in enumerate(outputs, start=1):
            lines = [line for line in out.splitlines() if line and not line.startswith("共 ")]
            statuses = Counter(line.split()[0] for line in lines)
            reasons = Counter(line.split("写入数据库出错(", 1)[-1].split(":")[0] for line in lines
                              if line.startswith("failed") and "写入数据库出错" in line)
            print(f"writer {n}: {len(lines)} lines for {reports} reports: {dict(sorted(statuses.items()))}"
                  + (f"; write failures: {dict(reasons)}" if reasons else ""))
        count = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); from cases.models import Case; "
             "print(Case.objects.count())"],
            cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, capture_output=True, text=True,
            check=True,
        ).stdout.strip()
        print(f"cases in the archive: {count} (reports in the folder: {reports}); {elapsed:.1f} s wall time")


if __name__ == "__main__":
    main()
