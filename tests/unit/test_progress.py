import io

from ops.progress import Progress


def test_progress_counts_work_that_grows_while_it_runs() -> None:
    out = io.StringIO()
    progress = Progress("replay orders", total=100, unit="events", out=out)
    progress.advance(40)
    progress.extend(50)
    progress.advance(110)
    progress.finish()
    assert (progress.done, progress.total) == (150, 150)
    last_line = out.getvalue().rsplit("\r", 1)[-1]
    assert last_line.startswith("replay orders: 100%") and "150/150" in last_line and "events/s" in last_line
