import pytest

from dlstudio.core import families
from tests.toy_family.family import FAMILY


@pytest.fixture
def toy(monkeypatch):
    """The toy family registered in this process, for one test."""
    families.families()  # the built-in ones loaded first, as in any process
    monkeypatch.setitem(families._FAMILIES, FAMILY.name, FAMILY)
