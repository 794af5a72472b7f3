from registry.tests.conftest import household, resident, valid_id  # noqa: F401
