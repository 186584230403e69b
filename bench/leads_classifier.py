"""Lead-note outcome classifier: accuracy per class on the labelled notes, offline throughput, and
what a model provider costs per 1 000 notes (calls and tokens through the local Bedrock/OpenAI fakes).

- accuracy, and per class precision / recall (recall = the class's own accuracy), per split:
  `train` (rules developed on it) and `heldout` (written before tuning, never tuned on);
- notes per second of the offline classifier, one core;
- Bedrock and OpenAI through the fakes: model calls and tokens (the fakes count ~4 characters a
  token) per 1 000 notes at the configured batch size — the input of the cost estimate in
  docs/leads-classification.md.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

from bench.common import ROOT, figure

BENCH = "leads_classifier"
DATA = ROOT / "tests/unit/leads/data"


def run() -> Iterator[dict[str, Any]]:
    from skailan.leads.classification import Outcome, classifier_for
    from skailan.leads.classification.evaluation import evaluate, load_notes

    classifier = classifier_for("local")
    paths = sorted(DATA.glob("lead_notes_*.tsv"))
    everything = load_notes(paths)
    for split, notes in [("all", everything)] + [(p.stem.rsplit("_", 1)[-1], load_notes([p])) for p in paths]:
        scores = evaluate(classifier, notes)
        yield figure(BENCH, f"offline_accuracy_{split}", scores.accuracy, "ratio", notes=scores.total)
        for outcome in Outcome:
            support, precision, recall = scores.per_class[outcome]
            yield figure(BENCH, f"offline_{outcome.value}_{split}", recall, "accuracy (recall)",
                         precision=round(precision, 4), support=support)

    texts = [n.text for n in everything] * max(1, 5000 // len(everything))
    classifier.classify(texts[:50])  # regexes compiled, caches warm
    started = time.perf_counter()
    classifier.classify(texts)
    elapsed = time.perf_counter() - started
    yield figure(BENCH, "offline_notes_per_second", len(texts) / elapsed, "notes/s", notes=len(texts))

    yield from _providers([n.text for n in everything])


def _providers(notes: list[str]) -> Iterator[dict[str, Any]]:
    from infra.local.fake_providers import Directory, FakeProviders
    from skailan.leads.classification import classifier_for
    from skailan.platform.settings import get_settings

    fake = FakeProviders(Directory(), webhook_base=lambda: "http://127.0.0.1:1").start()
    try:
        os.environ.update(fake.environment())
        os.environ.update(STAGE="local", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                          AWS_DEFAULT_REGION="us-east-1")
        os.environ.pop("AWS_ENDPOINT_URL", None)
        get_settings.cache_clear()
        batch = get_settings().leads_classifier_batch_size
        texts = (notes * (1000 // len(notes) + 1))[:1000]
        for provider, tokens_in, tokens_out in (("bedrock", "inputTokens", "outputTokens"),
                                                ("openai", "prompt_tokens", "completion_tokens")):
            fake.clear()
            classifier = classifier_for(provider, openai_api_key="sk-bench")
            started = time.perf_counter()
            classifier.classify(texts)
            elapsed = time.perf_counter() - started
            calls = fake.outbox(provider)
            usage_in = sum(int((c["response"].get("usage") or {}).get(tokens_in, 0)) for c in calls)
            usage_out = sum(int((c["response"].get("usage") or {}).get(tokens_out, 0)) for c in calls)
            yield figure(BENCH, f"{provider}_calls_per_1000_notes", len(calls), "calls", batch_size=batch)
            yield figure(BENCH, f"{provider}_input_tokens_per_1000_notes", usage_in, "tokens (~4 chars/token)")
            yield figure(BENCH, f"{provider}_output_tokens_per_1000_notes", usage_out, "tokens (~4 chars/token)")
            yield figure(BENCH, f"{provider}_fake_notes_per_second", len(texts) / elapsed, "notes/s")
    finally:
        fake.stop()


if __name__ == "__main__":
    import json

    for item in run():
        print(json.dumps(item, ensure_ascii=False))
