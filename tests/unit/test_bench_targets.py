import pytest

from bench.targets import Target, TargetCheck, verdict

AT_LEAST = Target("batch ingest", "at_least", 50_000, "commands/s")
AT_MOST = Target("p99", "at_most", 50, "ms")


def test_a_floor_is_met_at_or_above_it() -> None:
    assert TargetCheck(AT_LEAST, 50_000).met is True
    assert TargetCheck(AT_LEAST, 60_000).missed_by == 0.0


def test_a_missed_floor_says_by_how_much() -> None:
    check = TargetCheck(AT_LEAST, 40_000)
    assert check.met is False
    assert check.missed_by == 10_000
    assert check.missed_by_share == pytest.approx(0.2)


def test_a_ceiling_is_missed_above_it() -> None:
    check = TargetCheck(AT_MOST, 80)
    assert check.met is False
    assert check.missed_by == 30
    assert check.missed_by_share == pytest.approx(0.6)
    assert TargetCheck(AT_MOST, 50).met is True


def test_not_measured_is_neither_met_nor_missed() -> None:
    check = TargetCheck(AT_MOST, None, "1M not loaded")
    assert check.met is None
    assert check.missed_by is None
    assert verdict(check.as_json()) == "not measured"


def test_verdicts_in_words() -> None:
    assert verdict(TargetCheck(AT_LEAST, 60_000).as_json()) == "met"
    assert verdict(TargetCheck(AT_LEAST, 40_000).as_json()) == "missed by 10,000 commands/s (20%)"


def test_targets_describe_their_goal() -> None:
    assert AT_LEAST.describe() == "≥ 50,000 commands/s"
    assert Target("ratio", "at_least", 0.7, "× raw").describe() == "≥ 0.70 × raw"
