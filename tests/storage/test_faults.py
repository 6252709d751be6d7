"""A writer killed at any point leaves the runs listable: earlier files whole, a first save that
was cut short reported and deletable, a run whose process ended read as interrupted."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

from nntui.core.config import RunConfig
from nntui.core.events import Status
from nntui.storage.runs import RunStore

WRITER = textwrap.dedent(
    """
    import sys
    from nntui.core.config import RunConfig
    from nntui.engine.trainer import Trainer
    from nntui.storage.runs import RunRecorder, RunStore

    config = RunConfig().with_changes(data={"size": 2000}, model={"hidden": "300 relu, 300 relu"},
                                      training={"epochs": 1})
    store = RunStore(sys.argv[1])
    print("ready", flush=True)
    while True:  # save run after run, each saved twice (as a periodic save would), until killed
        trainer = Trainer(config)
        recorder = RunRecorder(trainer, store)
        for event in trainer.events():
            recorder.record(event)
        recorder.save()
        recorder.save()
    """
)


def test_killing_a_writer_at_random_points_never_breaks_the_listing(tmp_path):
    root = tmp_path / "runs"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    rng = random.Random(7)
    for round_ in range(4):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(root)], env=env, stdout=subprocess.PIPE)
        assert writer.stdout.readline() == b"ready\n"
        deadline = time.monotonic() + 120  # a loaded machine saves slowly: wait for a first save
        while len(list(root.glob("*/run.json"))) <= round_ and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.random() * 1.5)  # then kill it anywhere in the next save or training
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
    store = RunStore(root)
    listing = store.list()
    for run in listing.runs:  # every listed run is whole: its history and model load
        assert run.status == "finished"
        assert len(store.history(run.id)) == 1
        assert store.saved_state(run.id).checkpoint.epochs_done == 1
    for line in listing.skipped:
        assert "incomplete run" in line
        run_id = line.split("/")[-1].split(":")[0]
        store.delete(run_id)
    assert store.list().skipped == []
    assert len(listing.runs) >= 1


def test_stale_temporary_files_are_removed_when_listing(tmp_path, runs_dir):
    from helpers import train_and_save

    store = RunStore(runs_dir)
    record, _ = train_and_save(store, RunConfig().with_changes(data={"size": 50}, training={"epochs": 2}))
    stale = runs_dir / record.id / ".model.pt.abc123.tmp"
    fresh = runs_dir / record.id / ".history.json.def456.tmp"
    stale.write_bytes(b"x" * 1000)
    fresh.write_bytes(b"y")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    assert [run.id for run in store.list().runs] == [record.id]
    assert not stale.exists() and fresh.exists()  # a save in progress keeps its file


def test_a_running_record_whose_process_ended_reads_as_interrupted(tmp_path, runs_dir):
    import json

    from helpers import train_and_save

    store = RunStore(runs_dir)
    record, _ = train_and_save(store, RunConfig().with_changes(data={"size": 50}, training={"epochs": 2}))
    path = runs_dir / record.id / "run.json"
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    import socket

    raw = json.loads(path.read_text())
    raw.update(status="running", process=f"{socket.gethostname()}:{gone.stdout.strip()}")
    path.write_text(json.dumps(raw))
    found = store.find(record.id)
    assert found.status == Status.INTERRUPTED and "interrupted after epoch 2" in found.message
    raw["process"] = f"{socket.gethostname()}:{os.getpid()}"  # still alive: still running
    path.write_text(json.dumps(raw))
    assert store.find(record.id).status == Status.RUNNING
