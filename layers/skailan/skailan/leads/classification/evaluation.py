"""Accuracy, precision and recall of a classifier on labelled notes (tests and `make bench`)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from skailan.leads.classification.base import Classifier, Outcome


@dataclass(frozen=True, slots=True)
class LabelledNote:
    text: str
    label: Outcome
    split: str


def load_notes(paths: Iterable[Path]) -> list[LabelledNote]:
    """TSV files with a `label` and a `text` column; the split is the file's last name part
    (`lead_notes_heldout.tsv` → "heldout")."""
    notes: list[LabelledNote] = []
    for path in paths:
        split = path.stem.rsplit("_", 1)[-1]
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                notes.append(LabelledNote(row["text"], Outcome(row["label"]), split))
    return notes


@dataclass(frozen=True, slots=True)
class Scores:
    total: int
    accuracy: float
    # class → (support, precision, recall); recall is the class's own accuracy.
    per_class: dict[Outcome, tuple[int, float, float]]
    mistakes: list[tuple[LabelledNote, Outcome, str]]


def evaluate(classifier: Classifier, notes: Sequence[LabelledNote]) -> Scores:
    results = classifier.classify([n.text for n in notes])
    pairs = [(n.label, r.outcome) for n, r in zip(notes, results, strict=True)]
    per_class: dict[Outcome, tuple[int, float, float]] = {}
    for outcome in Outcome:
        support = sum(1 for truth, _ in pairs if truth is outcome)
        predicted = sum(1 for _, guess in pairs if guess is outcome)
        hits = sum(1 for truth, guess in pairs if truth is guess is outcome)
        per_class[outcome] = (support, hits / predicted if predicted else 0.0, hits / support if support else 0.0)
    correct = sum(1 for truth, guess in pairs if truth is guess)
    mistakes = [(n, r.outcome, r.reason) for n, r in zip(notes, results, strict=True) if r.outcome is not n.label]
    return Scores(len(notes), correct / len(notes) if notes else 0.0, per_class, mistakes)
