from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchConfig(AppConfig):
    """The benchmarks (`bench_*`, `solve_vrptw`): tooling on top of every app, imported by none."""

    name = "bench"
    verbose_name = _("Benchmarks")
