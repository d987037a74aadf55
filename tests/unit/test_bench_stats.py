import pytest

from bench.stats import Latency, percentile, rate, ratio


def test_percentile_is_a_measured_value_by_nearest_rank() -> None:
    values = [float(number) for number in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_percentile_of_one_value_is_that_value() -> None:
    assert percentile([7.5], 0) == 7.5
    assert percentile([7.5], 99) == 7.5


def test_percentile_refuses_nothing_and_out_of_range_shares() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_rate_and_ratio() -> None:
    assert rate(500, 2.0) == 250.0
    assert rate(10, 0.0) == 0.0
    assert ratio(350.0, 500.0) == pytest.approx(0.7)
    assert ratio(1.0, 0.0) is None


def test_latency_in_milliseconds_from_seconds() -> None:
    latency = Latency.of_seconds([0.001 * number for number in range(1, 201)])
    assert latency.count == 200
    assert latency.p50_ms == pytest.approx(100.0)
    assert latency.p99_ms == pytest.approx(198.0)
    assert latency.max_ms == pytest.approx(200.0)
