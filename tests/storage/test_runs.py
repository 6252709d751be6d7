import io
import json
import os

import pytest
import torch
from helpers import PseudoTerminal, nntui_command, train_and_save

from nntui.cli import main
from nntui.core.config import RunConfig
from nntui.core.errors import UserError
from nntui.core.events import EpochEnd
from nntui.core.records import RUN_COLUMNS
from nntui.engine.trainer import RunControl, Trainer
from nntui.storage.runs import RunRecorder, RunStore, config_for_resume, restore_trainer, write_atomic


def small_config(**training) -> RunConfig:
    return RunConfig().with_changes(
        name="small",
        data={"size": 400, "val_share": 0.25},
        model={"hidden": "8 relu"},
        training={"epochs": 6, "lr": 0.05, "batch_size": 50, "shuffle": True, **training},
    )


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def saved_id(text: str) -> str:
    return text.split("saved run ")[1].split()[0]


def test_a_saved_run_lists_with_its_figures_history_and_model(runs_dir):
    store = RunStore()
    record, losses = train_and_save(store, small_config())
    assert store.root == runs_dir
    listed = store.list()
    assert listed.skipped == [] and [r.id for r in listed.runs] == [record.id]
    found = listed.runs[0]
    assert found.status == "finished" and found.epochs_done == 6 and found.dataset == "x2"
    assert found.architecture == "1 → 8 relu → 1" and found.optimizer == "sgd" and found.lr == 0.05
    assert found.val_loss is not None and found.duration_s > 0 and found.device == "cpu"
    history = store.history(record.id)
    assert history.epochs == list(range(6)) and history.columns["train_loss"] == losses
    state = torch.load(store.model_path(record.id), weights_only=True)
    assert state["epochs_done"] == 6 and "layers.0.weight" in state["model_state"]


def test_find_accepts_a_unique_prefix_and_names_unknown_and_ambiguous_ids():
    store = RunStore()
    first, _ = train_and_save(store, small_config(epochs=1))
    second, _ = train_and_save(store, small_config(epochs=1))
    assert store.find(first.id).id == first.id
    assert store.find(second.id[:-1]).id == second.id
    with pytest.raises(UserError, match="no run 'nope'"):
        store.find("nope")
    with pytest.raises(UserError, match="ambiguous"):
        store.find(os.path.commonprefix([first.id, second.id]))


def test_corrupt_and_foreign_entries_are_reported_and_skipped(runs_dir):
    store = RunStore()
    good, _ = train_and_save(store, small_config(epochs=1))
    (runs_dir / "notes.txt").write_text("mine")
    (runs_dir / "empty-dir").mkdir()
    broken = runs_dir / "20990101-000000-dead"
    broken.mkdir()
    (broken / "run.json").write_text("{not json")
    invalid = runs_dir / "20990101-000000-beef"
    invalid.mkdir()
    raw = json.loads((runs_dir / good.id / "run.json").read_text())
    raw["id"] = invalid.name
    raw["config"]["training"]["lr"] = -1
    (invalid / "run.json").write_text(json.dumps(raw))
    listing = store.list()
    assert [r.id for r in listing.runs] == [good.id]
    assert len(listing.skipped) == 4
    assert any("not valid JSON" in line for line in listing.skipped)
    assert any("training.lr must be > 0" in line for line in listing.skipped)
    assert any("notes.txt" in line for line in listing.skipped)


def test_a_failed_write_leaves_the_earlier_file_whole(tmp_path):
    target = tmp_path / "run.json"
    write_atomic(target, lambda file: file.write(b"earlier"))

    def crash(file):
        file.write(b"half of the new")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomic(target, crash)
    assert target.read_bytes() == b"earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


def test_a_kill_before_the_rename_leaves_the_earlier_record_whole(monkeypatch):
    store = RunStore()
    record, _ = train_and_save(store, small_config(epochs=1))
    before = (store.root / record.id / "run.json").read_text()

    def killed(*_):
        raise KeyboardInterrupt

    trainer = Trainer(small_config(epochs=1))
    recorder = RunRecorder(trainer, store)
    recorder.run_id = record.id
    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        recorder.save()
    monkeypatch.undo()
    assert (store.root / record.id / "run.json").read_text() == before
    assert store.find(record.id).id == record.id


def test_stopped_and_diverged_runs_are_saved_with_their_status():
    store = RunStore()
    control = RunControl()
    control.stop()
    stopped, _ = train_and_save(store, small_config(), control)
    diverged, _ = train_and_save(store, small_config(lr=1e9, epochs=50))
    assert store.find(stopped.id).status == "stopped"
    found = store.find(diverged.id)
    assert found.status == "diverged" and "diverged at epoch" in found.message


def test_resuming_continues_counting_epochs_and_matches_an_unbroken_run():
    store = RunStore()
    _, unbroken = train_and_save(store, small_config(epochs=6))
    first, _ = train_and_save(store, small_config(epochs=3))
    config = config_for_resume(store.find(first.id), ["training.epochs=6"])
    trainer = restore_trainer(store, first, config)
    recorder = RunRecorder(trainer, store, resumed_from=first)
    epochs = []
    for event in trainer.events():
        recorder.record(event)
        if isinstance(event, EpochEnd):
            epochs.append(event.epoch)
    resumed = recorder.save()
    assert epochs == [3, 4, 5]
    assert resumed.resumed_from == first.id and resumed.epochs_done == 6
    history = store.history(resumed.id)
    assert history.epochs == list(range(6))
    assert history.columns["train_loss"] == pytest.approx(unbroken, rel=1e-6)


def test_resume_refuses_changes_that_do_not_fit_the_saved_run():
    store = RunStore()
    record, _ = train_and_save(store, small_config(epochs=2))
    with pytest.raises(UserError, match="cannot change model.hidden"):
        config_for_resume(record, ['model.hidden="4 relu"'])
    with pytest.raises(UserError, match="pass --epochs N with N > 2"):
        config_for_resume(record, [])


def test_overlay_gives_one_labelled_series_per_run():
    store = RunStore()
    first, _ = train_and_save(store, small_config(epochs=3))
    second, _ = train_and_save(store, small_config(epochs=2, lr=0.01))
    series = store.overlay([first.id, second.id], "val_loss")
    assert [s.label for s in series] == [first.label, second.label]
    assert [len(s.epochs) for s in series] == [3, 2]


def test_a_restored_trainer_shows_the_saved_predictions_again():
    store = RunStore()
    record, _ = train_and_save(store, small_config(epochs=2))
    trainer = restore_trainer(store, record)
    assert trainer.epochs_done == 2 and trainer.snapshot().epoch == 2


def test_delete_removes_the_run():
    store = RunStore()
    record, _ = train_and_save(store, small_config(epochs=1))
    store.delete(record.id)
    assert store.list().runs == []


@pytest.mark.parametrize(("key", "code"), [("\x04", 0), ("\x03", 130)], ids=["ctrl-d", "ctrl-c"])
def test_ctrl_d_or_ctrl_c_at_the_delete_prompt_keeps_the_run_without_a_traceback(runs_dir, key, code):
    record, _ = train_and_save(RunStore(), small_config(epochs=1))
    terminal = PseudoTerminal(nntui_command("runs", "delete", record.id, "--runs-dir", str(runs_dir)))
    try:
        terminal.wait_for("[y/N]")
        terminal.press(key)
        assert terminal.wait() == code
    finally:
        terminal.close()
    assert "not deleted" in terminal.text and "Traceback" not in terminal.text
    assert RunStore().find(record.id).id == record.id


def test_cli_train_saves_then_runs_lists_shows_resumes_and_deletes():
    code, text = run("train", "--preset", "playground-xor", "--epochs", "4")
    run_id = saved_id(text)
    assert code == 0
    code, table = run("runs", "--wide")
    assert code == 0 and run_id in table and "playground-xor" in table and "4/4" in table
    code, shown = run("runs", "show", run_id[:-1])
    assert code == 0 and f"run {run_id}: playground-xor (finished)" in shown and "[training]" in shown
    code, text = run("train", "--resume", run_id, "--epochs", "6")
    assert code == 0 and "Epoch 4/6" in text and f"continuing {run_id}" in text
    code, text = run("runs", "delete", run_id, "--yes")
    assert code == 0 and f"deleted run {run_id}" in text
    assert run_id not in run("runs")[1]


def test_cli_bad_run_input_exits_2_with_one_line(capsys, runs_dir):
    assert run("runs", "show", "nope")[0] == 2
    assert "no run 'nope'" in capsys.readouterr().err
    run_id = saved_id(run("train", "--preset", "playground-xor", "--epochs", "2")[1])
    assert run("train", "--resume", run_id, "--hidden", "3 tanh", "--epochs", "5")[0] == 2
    assert "cannot change model.hidden" in capsys.readouterr().err
    assert run("runs", "export", run_id, "--format", "csv", "-o", "/proc/nope/x.csv")[0] == 2
    assert "cannot write /proc/nope/x.csv" in capsys.readouterr().err
    (runs_dir / run_id / "model.pt").write_bytes(b"garbage")
    assert run("train", "--resume", run_id, "--epochs", "5")[0] == 2
    assert "unreadable model" in capsys.readouterr().err
    (runs_dir / "junk").write_text("x")
    code, table = run("runs")
    assert code == 0 and run_id in table and "junk" in capsys.readouterr().err


def test_cli_runs_dir_flag_overrides_the_environment(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    code, text = run("train", "--preset", "playground-xor", "--epochs", "1", "--runs-dir", str(elsewhere))
    assert code == 0 and str(elsewhere) in text
    assert len(RunStore(elsewhere).list().runs) == 1 and RunStore().list().runs == []
    assert "playground-xor" in run("runs", "--runs-dir", str(elsewhere))[1]


def test_the_runs_table_fits_the_terminal_and_wide_shows_every_column(monkeypatch):
    store = RunStore()
    name = "a-long-experiment-name [training.seed=3, model.hidden=64 tanh]"
    record, _ = train_and_save(store, small_config(epochs=1).with_changes(name=name))
    for columns in (80, 120):
        monkeypatch.setenv("COLUMNS", str(columns))
        code, table = run("runs")
        lines = table.splitlines()
        assert code == 0 and all(len(line) <= columns for line in lines)
        assert record.id in lines[1] and "…" in lines[1] and "tanh]" in lines[1]  # both ends of the name
        assert "--wide shows the" in table and "device" in table.split("--wide")[1]
    monkeypatch.setenv("COLUMNS", "80")
    code, table = run("runs", "--wide")
    header, row = table.splitlines()
    assert code == 0 and header.split() == " ".join(RUN_COLUMNS).split() and name in row
