"""SimulatedLocker: the demo's locker behaves like a confirmed board, and its faults bite."""

from __future__ import annotations

import pytest

from drivers.base import DeviceTimeout, DeviceUnplugged, Fault, HealthState
from drivers.locker.base import DoorJammed, DoorState
from drivers.locker.simulated import SimulatedLocker


def test_open_close_and_items_show_in_door_states():
    """Given a 24-door locker, when the citizen opens 3, puts an item and closes it, then the
    states follow each step."""
    locker = SimulatedLocker()
    locker.open()
    locker.open_door(3)
    assert locker.door_states()[3] == DoorState(is_open=True, item_present=False)
    locker.put_item(3)
    locker.close_door(3)
    states = locker.door_states()
    assert states[3] == DoorState(is_open=False, item_present=True)
    assert len(states) == 24 and locker.health().state is HealthState.OK
    locker.take_item(3)
    assert locker.door_states()[3].item_present is False


def test_jammed_door_and_jammed_fault():
    """Given door 5 jammed, when opening it, then DoorJammed and it stays closed; Fault.JAMMED
    jams every door; clearing restores service."""
    locker = SimulatedLocker(doors=8)
    locker.jam(5)
    with pytest.raises(DoorJammed, match="door 5"):
        locker.open_door(5)
    assert not locker.door_states()[5].is_open
    assert locker.health().state is HealthState.DEGRADED
    locker.unjam(5)
    locker.inject(Fault.JAMMED)
    with pytest.raises(DoorJammed):
        locker.open_door(1)
    locker.clear(Fault.JAMMED)
    locker.open_door(1)
    assert locker.door_states()[1].is_open


@pytest.mark.parametrize(("fault", "error"), [(Fault.UNPLUGGED, DeviceUnplugged),
                                              (Fault.TIMEOUT, DeviceTimeout)])
def test_board_faults_fail_every_call(fault, error):
    """Given an unplugged or silent board, when opening or polling, then the typed error."""
    locker = SimulatedLocker()
    locker.inject(fault)
    with pytest.raises(error):
        locker.open_door(1)
    with pytest.raises(error):
        locker.door_states()
    assert locker.health().state is HealthState.OFFLINE


def test_factory_builds_the_simulator_from_default_config(tmp_path):
    """Given the shipped config (driver = simulated), when the factory builds the locker, then it
    is a SimulatedLocker with the configured door count."""
    from config.schema import DeviceConfig
    from drivers.factory import build_device

    cfg = DeviceConfig(driver="simulated", port="/dev/null", baud=9600, timeout=0.5,
                       enabled=True, settings={"doors": 12})
    device = build_device("locker", cfg, simulate=False, data_dir=tmp_path)
    assert isinstance(device, SimulatedLocker) and device.doors == 12
