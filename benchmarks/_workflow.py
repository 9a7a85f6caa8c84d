"""The tuning workflow's commands run as the CLI runs them, and the edits a person makes
between them (naming clusters, pointing the profile at a bank), for the benchmarks."""

from __future__ import annotations

import argparse
import contextlib
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import tomlkit

from bot.tuning.labels import UNLABELLED, LabelFile

Truth = Mapping[int, Sequence[Sequence[str]]]
"""Frame index -> rows of true labels."""


def run(
    add_arguments: Callable[[argparse.ArgumentParser], None],
    command: Callable[[argparse.Namespace], int],
    argv: Sequence[str],
) -> tuple[int, str]:
    """Run a tilebot command as its CLI would; (exit code, what it printed)."""
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = command(parser.parse_args(list(argv)))
    return code, out.getvalue()


def name_clusters(labels: LabelFile, truth: Truth) -> tuple[dict[str, str], int, int]:
    """(cluster -> majority true kind, clusters holding two kinds, true kinds seen): the
    names a person gives the clusters after looking at them."""
    by_cluster: dict[str, Counter[str]] = defaultdict(Counter)
    for index, rows in labels.frames.items():
        for r, row in enumerate(rows):
            for c, cluster in enumerate(row):
                if cluster != UNLABELLED:
                    by_cluster[cluster][truth[index][r][c]] += 1
    names = {cluster: kinds.most_common(1)[0][0] for cluster, kinds in by_cluster.items()}
    mixed = sum(len(kinds) > 1 for kinds in by_cluster.values())
    kinds_seen = len({kind for kinds in by_cluster.values() for kind in kinds})
    return names, mixed, kinds_seen


def rename_profile(path: Path, names: Mapping[str, str]) -> None:
    """Give the starter profile's clusters their names, as a person edits the file."""
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    base: Any = doc["base"]
    base["labels"] = list(dict.fromkeys(names[c] for c in base["labels"]))
    if "occupancy" in base and "empty_label" in base["occupancy"]:
        base["occupancy"]["empty_label"] = names[str(base["occupancy"]["empty_label"])]
    if "colour" in base and "classes" in base["colour"]:
        classes: dict[str, Any] = {}
        for cluster, centre in base["colour"]["classes"].items():
            classes.setdefault(names[cluster], list(centre))  # merged clusters: the first
        base["colour"]["classes"] = classes
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def set_bank(path: Path, bank: str) -> None:
    """Point the profile's base templates.bank at `bank` (relative to the profile)."""
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    base: Any = doc["base"]
    base["templates"]["bank"] = bank
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
