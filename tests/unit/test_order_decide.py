import schemas
import builders

def test_x() -> None:
    assert schemas.__file__
