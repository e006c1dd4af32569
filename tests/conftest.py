# Fixtures for end-to-end tests with real components: browser, page, site, lrs.
pytest_plugins = ["tests.support.fixtures"]
