"""The demo's pure-Python ID card reader: present/remove, read once, faults, health."""

from __future__ import annotations

import threading
import time

import pytest

from drivers.base import DeviceTimeout, DeviceUnplugged, Fault, HealthState
from drivers.idcard.base import CardReadError
from drivers.idcard.samples import SAMPLE_CARDS
from drivers.idcard.simulated import SimulatedIdCardReader

CARD = SAMPLE_CARDS["elderly"]


def test_presented_card_is_read_once_until_presented_again():
    """Given a card laid on the simulator / then read once, None after; removed and laid
    again / then read again."""
    reader = SimulatedIdCardReader()
    reader.open()
    reader.present(CARD)
    assert reader.card_present()
    assert reader.read_card(timeout=0.5) is CARD
    assert reader.read_card(timeout=0.01) is None
    reader.remove()
    assert not reader.card_present()
    reader.present(CARD)
    assert reader.read_card(timeout=0.5) is CARD


def test_read_waits_for_a_card_without_spinning():
    """Given an empty reader / when a card is laid 50 ms into a 2 s wait / then it is returned
    at once; with no card / then None after the timeout."""
    reader = SimulatedIdCardReader()
    started = time.monotonic()
    assert reader.read_card(timeout=0.05) is None
    assert time.monotonic() - started >= 0.05
    timer = threading.Timer(0.05, reader.present, args=(CARD,))
    timer.start()
    started = time.monotonic()
    assert reader.read_card(timeout=2.0) is CARD
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize(("fault", "error", "state"), [
    (Fault.UNPLUGGED, DeviceUnplugged, HealthState.OFFLINE),
    (Fault.TIMEOUT, DeviceTimeout, HealthState.OFFLINE),
    (Fault.GARBAGE, CardReadError, HealthState.DEGRADED),
])
def test_faults_raise_typed_errors_and_show_in_health(fault, error, state):
    """Given a fault injected / when a card is read / then its typed error and health;
    cleared / then a newly laid card reads and health is ok."""
    reader = SimulatedIdCardReader()
    reader.present(CARD)
    reader.inject(fault)
    assert reader.health().state is state
    with pytest.raises(error):
        reader.read_card(timeout=0.1)
    reader.clear(fault)
    assert reader.health().state is HealthState.OK
    reader.remove()
    reader.present(CARD)
    assert reader.read_card(timeout=0.1) is CARD
