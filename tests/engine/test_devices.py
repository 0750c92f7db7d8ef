"""Workers list the torch devices they offer, probed in a process of their own, never in the worker."""

from __future__ import annotations

import json
import os

import psutil
import pytest

from nodeeditor.engine.devices import DeviceProbe, describe, probe
from nodeeditor.store.store import open_store
from cli.harness import cli

from .worker_procs import WorkerProc, wait_for


def _torch_mapped(pid: int) -> bool:
    """Whether torch's shared library is loaded in that process."""
    return any("libtorch" in os.path.basename(m.path) for m in psutil.Process(pid).memory_maps())


def test_a_cli_worker_lists_its_torch_devices_without_loading_torch_itself(isolated_home, monkeypatch):
    pytest.importorskip("torch")
    monkeypatch.setenv("NODEEDITOR_DEVICE_PROBE", "1")
    with open_store(home=isolated_home) as store:
        worker = WorkerProc(isolated_home, "--name", "gpu-box", "--lease", "30")
        try:
            wait_for(lambda: any("devices" in r.capabilities for r in store.workers.list()), timeout=90,
                     what="the worker's devices")
            (row,) = store.workers.list()
            devices = row.capabilities["devices"]
            assert devices[0] == {"device": "cpu"}
            assert all(d["device"].startswith("cuda:") and d["name"] and d["memory"] > 0 for d in devices[1:])
            assert row.capabilities["torch"] is True
            assert not _torch_mapped(worker.pid), "the worker process itself must not import torch"
            listed = cli("workers", "--json", home=isolated_home)
            assert json.loads(listed.out)[0]["capabilities"]["devices"] == devices
            text = cli("workers", home=isolated_home).out
            assert "devices cpu" in text
        finally:
            worker.close()


def test_without_torch_there_is_no_devices_entry(tmp_path):
    shadow = tmp_path / "shadow" / "torch"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no torch here')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "shadow")}
    assert probe(env=env) is None
    assert describe(None) == "-"


def test_the_probe_reports_once_and_not_at_all_when_switched_off(monkeypatch):
    monkeypatch.setattr("nodeeditor.engine.devices.probe", lambda: [{"device": "cpu"}])
    reported = []
    monkeypatch.setenv("NODEEDITOR_DEVICE_PROBE", "0")
    off = DeviceProbe()
    off.start(reported.append)
    off.join(5)
    assert reported == [] and off.found == {}
    monkeypatch.setenv("NODEEDITOR_DEVICE_PROBE", "1")
    on = DeviceProbe()
    on.start(reported.append)
    on.start(reported.append)
    on.join(5)
    assert reported == [{"devices": [{"device": "cpu"}]}] and on.found == reported[0]


def test_devices_read_as_one_line():
    assert describe([{"device": "cpu"}, {"device": "cuda:0", "name": "NVIDIA H200", "memory": 150 * 2**30}]) == \
        "cpu, cuda:0 NVIDIA H200 150 GiB"
    assert describe(["cuda:0"]) == "cuda:0"
