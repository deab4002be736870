"""Regenerate seed_shingles.txt from ../shared/seeds (run from the repo root)."""

import hashlib
import re
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
hashes = set()
for path in SEEDS.glob("*.txt"):
    text = re.sub(r"[\W_]+", "", path.read_text(encoding="utf-8", errors="ignore").lower())
    for i in range(len(text) - 11):
        run = text[i : i + 12]
        if len(re.findall(r"[\u4e00-\u9fff]", run)) >= 10:
            hashes.add(hashlib.sha1(run.encode()).hexdigest()[:12])
(Path(__file__).parent / "seed_shingles.txt").write_text("\n".join(sorted(hashes)) + "\n")
print(f"{len(hashes)} shingles from {SEEDS}")
