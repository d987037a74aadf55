from bench.orders import decided_events, plans_with_commands, versions_after_each_command
from bench.wire import batch_line, http_command


def test_plans_hold_exactly_the_commands_asked_for_and_the_rules_accept_them() -> None:
    plans = plans_with_commands("B-T", 500, seed=3)
    assert sum(len(plan.commands) for plan in plans) == 500
    for plan in plans:
        assert plan.commands[0].type == "CreateOrder"
        decided_events(plan)  # raises if the order rules would reject a command


def test_plans_are_the_same_for_the_same_seed() -> None:
    assert plans_with_commands("B-T", 50, seed=9) == plans_with_commands("B-T", 50, seed=9)


def test_versions_grow_with_every_command() -> None:
    for plan in plans_with_commands("B-T", 100, seed=5):
        versions = versions_after_each_command(plan)
        assert versions == sorted(set(versions))
        assert versions[0] >= 2  # created with at least one item


def test_commands_as_http_requests_and_batch_lines() -> None:
    plan = plans_with_commands("B-T", 2, seed=1)[0]
    create, follow_up = plan.commands
    assert http_command(create).path == "/orders"
    assert http_command(follow_up).path.startswith(f"/orders/{plan.order_id}/")
    assert "order_id" not in http_command(follow_up).body
    assert batch_line(create).endswith(b"\n")
    assert b'"type":"CreateOrder"' in batch_line(create)
