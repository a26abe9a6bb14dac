import pytest

from yanyun.command.catalogue import load_catalogue
from yanyun.yardstick.definitions import load_yardstick


@pytest.fixture(scope="session")
def yardstick():
    return load_yardstick(load_catalogue())
