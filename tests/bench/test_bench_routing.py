import json
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.bench, pytest.mark.django_db]
DATA = Path(__file__).parent / "data"


def test_bench_routing_compares_with_pyvrp(capsys):
    pytest.importorskip("pyvrp")
    call_command("bench_routing", "--instances", str(DATA), "--seconds", "1", "--skip-city", "--json")
    result = json.loads(capsys.readouterr().out)
    (row,) = result["solomon"]
    assert row["feasible"] and row["pyvrp_feasible"]
    assert row["ratio"] == pytest.approx(1.0, abs=0.001)
