import logging

from stagegraph_localstack.settings import environment_number


def test_unset_or_empty_is_the_default(monkeypatch):
    monkeypatch.delenv("STAGEGRAPH_TEST_NUMBER", raising=False)
    assert environment_number("STAGEGRAPH_TEST_NUMBER", 4.0) == 4.0
    monkeypatch.setenv("STAGEGRAPH_TEST_NUMBER", "  ")
    assert environment_number("STAGEGRAPH_TEST_NUMBER", 4.0) == 4.0


def test_a_value_is_parsed(monkeypatch):
    monkeypatch.setenv("STAGEGRAPH_TEST_NUMBER", " 0.25 ")
    assert environment_number("STAGEGRAPH_TEST_NUMBER", 4.0) == 0.25
    monkeypatch.setenv("STAGEGRAPH_TEST_NUMBER", "12")
    assert environment_number("STAGEGRAPH_TEST_NUMBER", 5, parse=int) == 12


def test_a_value_it_cannot_use_warns_and_gives_the_default(monkeypatch, caplog):
    monkeypatch.setenv("STAGEGRAPH_TEST_NUMBER", "ten")
    with caplog.at_level(logging.WARNING):
        assert environment_number("STAGEGRAPH_TEST_NUMBER", 4.0, what="a number of seconds") == 4.0
    assert "STAGEGRAPH_TEST_NUMBER='ten' is not a number of seconds: using 4.0" in caplog.text


def test_a_value_below_the_minimum_warns_and_gives_the_minimum(monkeypatch, caplog):
    monkeypatch.setenv("STAGEGRAPH_TEST_NUMBER", "0")
    with caplog.at_level(logging.WARNING):
        assert environment_number("STAGEGRAPH_TEST_NUMBER", 0.02, minimum=0.001) == 0.001
    assert "is below 0.001" in caplog.text


def test_nan_and_infinity_are_not_numbers_it_can_use(monkeypatch):
    for raw in ("nan", "inf", "-inf", "1e999"):
        monkeypatch.setenv("STAGEGRAPH_TEST_NUMBER", raw)
        assert environment_number("STAGEGRAPH_TEST_NUMBER", 4.0) == 4.0


def test_a_value_read_again_and_again_is_warned_about_once(monkeypatch, caplog):
    monkeypatch.setenv("STAGEGRAPH_TEST_REREAD", "x")
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            environment_number("STAGEGRAPH_TEST_REREAD", 5, parse=int)
    assert caplog.text.count("STAGEGRAPH_TEST_REREAD='x'") == 1
