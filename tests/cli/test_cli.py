import io
import json
import os
import signal
import subprocess
import sys

import pytest
import torch
from helpers import nntui_command, nntui_environment, train_and_save

from nntui.cli import build_parser, main
from nntui.cli.train import ProgressReport, significant_digits_agreeing
from nntui.core.config import RunConfig
from nntui.core.events import EpochEnd
from nntui.storage.runs import RunRecorder, RunStore


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_presets_lists_every_tutorial_experiment_one_line_each():
    code, text = run("presets")
    names = [line.split()[0] for line in text.splitlines()]
    assert code == 0
    for name in [
        "for-loop-vs-matmul",
        "random-relu",
        "manual-relu",
        "no-activation",
        "sequential",
        "module",
        "optim",
        "minibatch",
        "tensordataset",
        "dataloader",
        "validation",
        "classification",
    ]:
        assert name in names


def test_devices_lists_cpu():
    code, text = run("devices")
    assert code == 0 and "cpu" in text


def test_train_prints_progress_summary_and_tutorial_comparison():
    code, text = run("train", "--preset", "sequential", "--epochs", "101")
    assert code == 0
    assert "Epoch   0/101 - 1 steps - loss: 0.0911612" in text
    assert "Epoch 100/101" in text and "finished after 101 epochs" in text
    assert "tutorial printed" in text


def test_jsonl_prints_one_object_per_event():
    code, text = run("train", "--preset", "minibatch", "--epochs", "3", "--jsonl")
    records = [json.loads(line) for line in text.splitlines()]
    assert code == 0
    assert [r["event"] for r in records] == ["started", "epochend", "epochend", "epochend", "finished"]
    assert records[1]["steps"] == 10 and records[0]["config"]["replay"] == "minibatch"


def test_invalid_fields_exit_2_with_one_line_each(capsys):
    code, _ = run("train", "--preset", "optim", "--lr", "-1", "--set", "training.epochs=x")
    lines = capsys.readouterr().err.splitlines()
    assert code == 2
    assert "nntui: training.lr must be > 0, got -1" in lines
    assert "nntui: training.epochs must be a whole number, got 'x'" in lines


def test_unknown_preset_and_missing_config_exit_2(capsys, tmp_path):
    assert run("train", "--preset", "nope")[0] == 2
    assert "unknown preset 'nope'" in capsys.readouterr().err
    assert run("train", "--config", str(tmp_path / "none.toml"))[0] == 2
    assert "config file not found" in capsys.readouterr().err


def test_missing_device_exits_2_naming_what_exists(capsys):
    assert run("train", "--preset", "optim", "--device", "cuda:1")[0] == 2
    assert "device cuda:1 is not available here; available: cpu" in capsys.readouterr().err


def test_divergence_exits_1_with_the_message():
    code, text = run("train", "--preset", "optim", "--lr", "1e9", "--epochs", "50")
    assert code == 1 and "diverged at epoch" in text and "try a smaller learning rate" in text


def test_save_writes_a_state_dict_plain_torch_loads(tmp_path):
    path = tmp_path / "model.pt"
    code, _ = run("train", "--preset", "optim", "--epochs", "2", "--save", str(path))
    saved = torch.load(path)
    assert code == 0
    assert saved["state_dict"]["layers.0.weight"].shape == (100, 1)
    assert saved["config"]["replay"] == "optim" and saved["epochs_done"] == 2
    model = torch.nn.Sequential(torch.nn.Linear(1, 100), torch.nn.ReLU(), torch.nn.Linear(100, 1))
    model.load_state_dict({k.removeprefix("layers."): v for k, v in saved["state_dict"].items()})


def test_config_file_with_overrides_and_written_config(tmp_path):
    path = tmp_path / "run.toml"
    assert run("train", "--preset", "better-xor", "--write-config", str(path))[0] == 0
    code, text = run("train", "--config", str(path), "--epochs", "2", "--hidden", "4 tanh")
    assert code == 0 and "2 → 4 tanh → 2" in text


def test_demo_preset_prints_its_lines():
    code, text = run("train", "--preset", "for-loop-vs-matmul")
    assert code == 0 and "matmul faster by" in text


def test_ctrl_c_stops_after_the_current_step_and_exits_130():
    import threading

    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    code, text = run("train", "--preset", "playground-spiral", "--epochs", "100000", "--every", "100000")
    assert code == 130 and "stopped after" in text


def test_a_second_ctrl_c_while_the_run_is_saved_does_not_cut_the_save_short(monkeypatch, runs_dir):
    show, save = ProgressReport.show, RunRecorder.save

    def ctrl_c_after_the_first_epoch(report, event):
        if isinstance(event, EpochEnd) and event.epoch == 0:
            os.kill(os.getpid(), signal.SIGINT)
        show(report, event)

    def ctrl_c_while_saving(recorder):
        os.kill(os.getpid(), signal.SIGINT)
        return save(recorder)

    monkeypatch.setattr(ProgressReport, "show", ctrl_c_after_the_first_epoch)
    monkeypatch.setattr(RunRecorder, "save", ctrl_c_while_saving)
    code, text = run("train", "--preset", "playground-spiral", "--epochs", "100000")
    (record,) = RunStore(runs_dir).list().runs
    assert code == 130 and "stopped after" in text and f"saved run {record.id} (stopped)" in text
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def start_training(runs_dir) -> subprocess.Popen:
    """`nntui train` of a run far too long to finish, once its first epoch is printed."""
    command = nntui_command(
        "train", "--runs-dir", str(runs_dir), "--preset", "playground-spiral", "--epochs", "100000"
    )
    process = subprocess.Popen(
        command, env=nntui_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    for line in process.stdout:
        if line.startswith("Epoch"):
            return process
    raise AssertionError(f"no epoch printed: {process.communicate()}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["sigterm", "sighup"])
def test_sigterm_and_sighup_save_the_run_as_stopped_as_ctrl_c_does(runs_dir, signum):
    process = start_training(runs_dir)
    process.send_signal(signum)
    out, err = process.communicate(timeout=120)
    (record,) = RunStore(runs_dir).list().runs
    assert process.returncode == 128 + signum, err
    assert "stopped after" in out and f"saved run {record.id} (stopped)" in out
    assert record.status == "stopped"


def test_two_quick_ctrl_c_stop_the_run_and_save_it(runs_dir):
    process = start_training(runs_dir)
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=0.3)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    (record,) = RunStore(runs_dir).list().runs
    assert process.returncode in (130, -signal.SIGINT), err  # the second may end the exiting process
    assert "Traceback" not in err and f"saved run {record.id} (stopped)" in out


def test_ctrl_c_while_torch_is_imported_exits_130_without_a_traceback(runs_dir):
    command = [sys.executable, "-X", "importtime", *nntui_command("train", "--preset", "optim")[1:]]
    process = subprocess.Popen(
        command, env=nntui_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    for line in process.stderr:
        if line.rsplit("|", 1)[-1].strip().startswith("torch."):  # torch's first parts, not yet torch
            break
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


@pytest.mark.parametrize(
    "where", ["a-folder", "file.txt/model.pt", "missing/model.pt"], ids=["folder", "under-file", "no-folder"]
)
def test_a_save_path_that_cannot_be_written_exits_2_before_training(tmp_path, runs_dir, capsys, where):
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "file.txt").write_text("")
    code, text = run("train", "--preset", "optim", "--save", str(tmp_path / where))
    (line,) = capsys.readouterr().err.splitlines()
    assert code == 2 and line.startswith(f"nntui: --save {tmp_path / where}: ")
    assert text == "" and not runs_dir.exists()


@pytest.mark.parametrize("where", ["a-folder", "missing/run.toml"], ids=["folder", "no-folder"])
def test_a_config_path_that_cannot_be_written_exits_2(tmp_path, capsys, where):
    (tmp_path / "a-folder").mkdir()
    code, _ = run("train", "--preset", "optim", "--write-config", str(tmp_path / where))
    (line,) = capsys.readouterr().err.splitlines()
    assert code == 2 and line.startswith(f"nntui: --write-config {tmp_path / where}: ")


def test_a_save_file_that_fails_to_write_loses_no_run(monkeypatch, tmp_path, runs_dir, capsys):
    def disk_full(trainer, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("nntui.cli.train.save_model", disk_full)
    code, text = run("train", "--preset", "optim", "--epochs", "2", "--save", str(tmp_path / "m.pt"))
    (record,) = RunStore(runs_dir).list().runs
    assert code == 2 and record.status == "finished" and f"saved run {record.id}" in text
    assert f"nntui: --save {tmp_path / 'm.pt'}: No space left on device" in capsys.readouterr().err


def test_digit_agreement_counts_shared_significant_digits():
    assert significant_digits_agreeing(0.0116828782, 0.0116828755) == 6
    assert significant_digits_agreeing(1.0, 2.0) == 0


def test_the_cli_and_the_app_module_load_without_torch():
    """`nntui` paints its first frame before torch is imported (that alone takes seconds)."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom nntui.cli import build_parser\nimport nntui.tui.app\n"
        "build_parser().parse_args([])\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'torch'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_slow_link_and_fast_link_reach_the_app(monkeypatch):
    import nntui.tui.app

    asked = []
    monkeypatch.setattr(
        nntui.tui.app, "run_app", lambda runs_dir, slow_link, config=None: asked.append(slow_link) or 0
    )
    for argv, slow_link in (([], None), (["--slow-link"], True), (["--fast-link"], False)):
        assert main(argv) == 0
        assert asked.pop() is slow_link
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--slow-link", "--fast-link"])


def test_internal_replay_names_exit_2_with_one_line(capsys):
    for name in ("single-neuron", "x2-demo", "no-such-cell"):
        code, _ = run("train", "--preset", "manual-relu", "--set", f"replay={name}")
        lines = capsys.readouterr().err.splitlines()
        assert code == 2 and len(lines) == 1 and "replay" in lines[0], (name, lines)


def test_first_step_preset_prints_both_tutorial_losses():
    code, text = run("train", "--preset", "first-step")
    assert code == 0
    assert "tensor(2.9038)  ✓ same" in text and "tensor(2.7102)  ✓ same" in text


def test_overrides_given_to_the_timing_demo_exit_2_saying_they_do_not_apply(capsys):
    code, text = run("train", "--preset", "for-loop-vs-matmul", "--set", "training.lr=-1")
    lines = capsys.readouterr().err.splitlines()
    assert code == 2 and text == "" and len(lines) == 1 and "does not apply" in lines[0]


def test_classification_shows_both_definitions_of_its_final_validation_loss():
    code, text = run("train", "--preset", "classification", "--epochs", "2")
    assert code == 0
    batch_line = next(line for line in text.splitlines() if line.startswith("mean of 3 batch means"))
    every_line = next(line for line in text.splitlines() if line.startswith("mean over all 5,000"))
    assert "(2,000 / 2,000 / 1,000 points)" in batch_line and "0.1092" in batch_line
    final = float(every_line.split()[-1])
    saved_val = float(
        next(line for line in text.splitlines() if "val loss" in line).split("val loss ")[1][:6]
    )
    assert abs(final - saved_val) < 1e-3


def test_lesson_list_prints_the_tutorials_experiments_in_order():
    code, text = run("lesson", "--list")
    names = [line.split()[1] for line in text.splitlines()]
    assert code == 0 and names[:4] == ["for-loop-vs-matmul", "random-identity", "random-relu", "first-step"]
    assert names[-1] == "classification"


def test_an_unknown_lesson_exits_2_with_one_line(capsys):
    code, _ = run("lesson", "99")
    lines = capsys.readouterr().err.splitlines()
    assert code == 2 and lines == ["nntui: no lesson 99: there are 14"]


def test_threads_out_of_range_and_a_closed_pipe_are_handled_quietly(capsys, runs_dir):
    import subprocess
    import sys

    code, _ = run("train", "--preset", "manual-relu", "--epochs", "1", "--threads", "-1")
    assert code == 2 and "--threads must be between 1 and 1024, got -1" in capsys.readouterr().err
    for seed in range(3):
        train_and_save(
            RunStore(runs_dir),
            RunConfig().with_changes(data={"size": 40}, training={"epochs": 1, "seed": seed}),
        )
    listing = subprocess.run(
        f"{sys.executable} -m nntui runs --runs-dir {runs_dir} | head -1",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert "Traceback" not in listing.stderr and listing.stdout.startswith("id")


def test_an_incomplete_run_is_deleted_from_the_cli(runs_dir):
    folder = runs_dir / "20261128-120000-dead"
    folder.mkdir(parents=True)
    (folder / "history.json").write_text("{}")
    (folder / ".model.pt.x1.tmp").write_bytes(b"partial")
    code, text = run("runs", "delete", "20261128-120000-dead", "--yes")
    assert code == 0 and "deleted the incomplete run" in text and not folder.exists()
