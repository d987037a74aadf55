"""Shared rejection helpers; every rejection has a stable code and a sentence for people."""

from schemas.outcomes import Rejection


def reject(code: str, reason: str) -> Rejection:
    return Rejection(code=code, reason=reason)


def version_conflict(expected: int, actual: int) -> Rejection:
    return reject("version_conflict", f"expected version {expected}, the aggregate is at version {actual}")


def check_expected_version(expected: int | None, actual: int) -> Rejection | None:
    if expected is None or expected == actual:
        return None
    return version_conflict(expected, actual)
