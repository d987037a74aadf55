import pytest

# The shared checks assert with plain ``assert``: show the compared values when they fail.
pytest.register_assert_rewrite("tests.faults.checks", "tests.faults.eventlog", "tests.faults.kafka",
                               "tests.faults.workload")
