"""One module per scenario, each with ``run(settings, options) -> ScenarioResult``."""
