import json
from pathlib import Path

import pytest
from django.utils import translation
from django.core.management import CommandError, call_command

from bench.vrptw import load_instance
from tests.routing.builders import brute_force_optimum

TINY = Path(__file__).parent / "data" / "tiny6.2.vrptw"


def test_conventions_of_the_format():
    problem = load_instance(TINY).problem
    assert problem.meters[0, 1] == 141  # hypot(10, 10) x 10, rounded
    assert (problem.jobs[0].window_start, problem.jobs[0].window_end, problem.jobs[0].service) == (100, 600, 50)
    assert [v.capacity for v in problem.vehicles] == [20, 20]
    assert problem.vehicles[0].shift_end == 2000


def test_prints_the_brute_forced_optimum_as_json(capsys):
    optimum = brute_force_optimum(load_instance(TINY).problem)
    call_command("solve_vrptw", str(TINY), str(TINY), "--seconds", "0.5", "--json")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    result = json.loads(lines[0])
    assert set(result) == {"instance", "cost", "vehicles", "served", "feasible", "seconds"}
    assert (result["instance"], result["cost"], result["served"], result["feasible"]) == ("TINY6", optimum, 6, True)


def test_a_file_that_is_not_an_instance_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.vrptw"
    broken.write_text("NAME : X\nNODE_COORD_SECTION\n1 0 0\n")
    with translation.override("en"), pytest.raises(CommandError, match="not a VRPTW instance"):
        call_command("solve_vrptw", str(broken), "--seconds", "1")
