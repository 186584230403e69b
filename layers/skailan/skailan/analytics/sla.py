"""SLA compliance of the conversation report: the share of first responses / resolutions that
took at most the brand's target (`sla.first_response_seconds`, `sla.resolution_seconds`), read
from the same exact histograms as the percentiles (in business hours when the report is), so no
counter of its own: changing a target applies to any past range."""

from __future__ import annotations

from collections.abc import Mapping

from skailan.analytics.models import SlaFigure, SlaStats

DEFINITION = (
    "Cumplimiento del SLA: % de primeras respuestas (o resoluciones) que tardaron como máximo el objetivo de la "
    "marca (ajustes `sla`), en horario laboral si el informe lo está. / SLA compliance: % of first responses "
    "(or resolutions) that took at most the brand's target (`sla` settings), in business hours when the "
    "report is.")


def figure(histogram: Mapping[int, int], target_seconds: int) -> SlaFigure:
    total = sum(c for c in histogram.values() if c > 0)
    within = sum(c for v, c in histogram.items() if c > 0 and v <= target_seconds)
    return SlaFigure(target_seconds=target_seconds, total=total, within=within,
                     pct=round(100 * within / total, 1) if total else None)


def stats(first_response: Mapping[int, int], resolution: Mapping[int, int], *, first_response_target: int,
          resolution_target: int) -> SlaStats:
    return SlaStats(first_response=figure(first_response, first_response_target),
                    resolution=figure(resolution, resolution_target))
