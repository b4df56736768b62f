from tests.subsidies.test_claims_money import programme  # noqa: F401 - shared fixture for the money tests
