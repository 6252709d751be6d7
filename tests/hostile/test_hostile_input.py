"""Whatever a user types or leaves on disk ends in a valid object or the user-facing error
(UserError and its ConfigError), never another exception. Examples are bounded to keep it quick."""

from __future__ import annotations

import json
import shutil

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nntui.core.config import RULES, RunConfig, estimated_bytes
from nntui.core.errors import UserError
from nntui.core.metrics import History
from nntui.core.records import SORT_NAMES, RunRecord, sorted_runs, table_row

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PATHS = [*RULES, "model.hidden[0].units", "model.hidden[0].activation", "data.bogus", "nope.lr", "x"]

numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers().map(lambda n: n * 10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1e309", "-1e309", "nan", "inf", "9" * 400, "9223372036854775808", "-0", "0x10"]),
)
texts = st.text(max_size=60)
values = st.one_of(
    numbers.map(str), texts, st.sampled_from(["[1, [2]]", "{a = 1}", '"quoted"', "true", "[" * 50])
)


def accepted(make) -> RunConfig | None:
    """The config `make` builds, or None when it raises the user-facing error."""
    try:
        config = make()
    except UserError as error:
        assert str(error).strip()
        return None
    config.validate()
    assert config.n_val >= 0 and estimated_bytes(config) > 0
    return config


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=4))
def test_any_override_gives_a_config_or_a_message(pairs):
    accepted(lambda: RunConfig().updated([f"{path}={value}" for path, value in pairs]))


@SETTINGS
@given(st.text(max_size=80))
def test_any_override_text_at_all_gives_a_config_or_a_message(text):
    accepted(lambda: RunConfig().updated([text]))


toml_values = st.recursive(
    st.one_of(
        st.integers(min_value=-(2**63), max_value=2**63 - 1), st.floats(), st.text(max_size=20), st.booleans()
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=12,
)


@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(["name", "data", "model", "training", "device", "task", "style", "replay", "junk"]),
        st.one_of(
            toml_values, st.dictionaries(st.sampled_from([p.split(".")[-1] for p in RULES]), toml_values)
        ),
        max_size=5,
    )
)
def test_any_toml_file_gives_a_config_or_a_message(tmp_path, raw):
    path = tmp_path / "run.toml"
    path.write_text(tomli_w.dumps(raw))
    accepted(lambda: RunConfig.load(path))


@SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_as_a_toml_file_give_a_message(tmp_path, content):
    path = tmp_path / "run.toml"
    path.write_bytes(content)
    accepted(lambda: RunConfig.load(path))


def test_a_toml_nested_thousands_deep_is_a_message(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("v = " + "[" * 5000 + "]" * 5000)
    assert accepted(lambda: RunConfig.load(path)) is None
    assert accepted(lambda: RunConfig().updated(["training.lr=" + "[" * 5000 + "]" * 5000])) is None


csv_text = st.one_of(
    st.binary(max_size=300),
    st.lists(
        st.lists(
            st.one_of(numbers.map(str), st.sampled_from(["", " ", "a", "1,5", '"x"', "\x00"])),
            min_size=1,
            max_size=4,
        ),
        min_size=0,
        max_size=8,
    ).map(lambda rows: "\n".join(",".join(row) for row in rows).encode()),
    st.text(max_size=100).map(lambda text: text.encode("latin-1", errors="replace")),
)


@SETTINGS
@given(csv_text, st.sampled_from(["auto", "classification", "regression"]))
def test_any_csv_file_gives_data_or_a_message(tmp_path, content, task):
    from nntui.engine.trainer import load_data

    path = tmp_path / "data.csv"
    path.write_bytes(content)
    config = RunConfig().with_changes(
        task=task, data={"dataset": "csv", "path": str(path), "val_share": 0.25}
    )
    try:
        data, _ = load_data(config)
    except UserError as error:
        assert str(path) in str(error) or "classification" in str(error) or "training data" in str(error)
        return
    assert len(data.x_train) >= 1


def test_csv_files_nntui_cannot_read_are_named_with_the_reason(tmp_path):
    from nntui.engine.trainer import load_data

    cases = {
        "latin1.csv": ("a,b\n1,2\n3,\xe9\n".encode("latin-1"), "is not UTF-8 text"),
        "binary.csv": (b"\x00\x01\x02" * 10, "is not a text file"),
        "wide.csv": (b"x,y\n1," + b"9" * 200_000 + b"\n2,3\n", "is not a CSV file nntui can read"),
        "classes.csv": (b"x,y\n1,0\n2,1000000000\n3,1\n", "1,000,000,001 classes"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        task = "classification" if name == "classes.csv" else "auto"
        config = RunConfig().with_changes(
            task=task, data={"dataset": "csv", "path": str(path), "val_share": 0.0}
        )
        try:
            load_data(config)
        except UserError as error:
            assert message in str(error), (name, str(error))
        else:
            raise AssertionError(f"{name} was read")


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
RECORD = RunRecord(
    id="20261128-120000-abcd", name="good", created="2026-11-28T12:00:00", status="finished",
    config=RunConfig(), device="cpu", architecture="1 → 100 relu → 1", parameters=301, epochs_done=5,
    duration_s=1.5, train_loss=0.1, val_loss=0.2,
).to_dict()  # fmt: skip


@SETTINGS
@given(st.sampled_from([*RECORD, "extra"]), json_values)
def test_a_run_record_with_any_wrong_field_is_read_or_refused_naming_it(field, value):
    raw = {**RECORD, field: value}
    try:
        record = RunRecord.from_dict(raw)
    except (ValueError, UserError):
        return
    for sort in SORT_NAMES:
        sorted_runs([record, RunRecord.from_dict(RECORD)], sort)
    assert len(table_row(record)) > 5


@SETTINGS
@given(st.sampled_from(["epoch", "train_loss", "val_loss", "lr", "grad_norm", "format"]), json_values)
def test_a_history_with_any_wrong_column_is_read_or_refused(column, value):
    raw = {**History([0, 1], {"train_loss": [1.0, 0.5]} | {}).to_dict(), column: value}
    raw.setdefault("epoch", [0, 1])
    try:
        History.from_dict(raw)
    except ValueError:
        pass


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([*RECORD]), json_values)
def test_one_bad_record_is_skipped_and_every_good_run_still_lists(tmp_path, field, value):
    from nntui.storage.runs import RunStore

    root = tmp_path / "runs"
    shutil.rmtree(root, ignore_errors=True)
    for run_id, raw in [("20261128-120000-abcd", RECORD), ("20261128-130000-bad0", {**RECORD, field: value})]:
        (root / run_id).mkdir(parents=True)
        (root / run_id / "run.json").write_text(
            json.dumps({**raw, "id": run_id} if field != "id" or run_id.endswith("abcd") else raw)
        )
    listing = RunStore(root).list()
    assert "20261128-120000-abcd" in [run.id for run in listing.runs]
    assert len(listing.runs) + len(listing.skipped) == 2
    for line in listing.skipped:
        assert "20261128-130000-bad0" in line
