"""The hostile-input corpus: each case is a command line on generated bad input, and what a
user should get back (issue 12: a clear answer every time, nothing silently wrong, nothing lost).

A case builds its inputs in a fresh folder (the command runs there, so a default project folder
would land there too) and names:
  codes  the exit statuses a user should get: 2 for a refusal, 0 where the data can be read
         correctly (then `check` says what "correctly" means);
  words  what the message must name (case-insensitive; a tuple means any one of them), looked
         for in what tells the user something: stderr and stdout, or for `--json` output the
         notes, warnings and skipped files only (the data itself would name everything);
  needs  the tiny trained runs it copies ("table" or "image"), built once per test session.
Nothing may be written or changed in the case folder (no run folder, inputs byte-identical);
only a command that succeeds may write, and only under the folders a case lists in `may_write`.

`python -m tests.hostile.cases DIR` writes every case that needs no trained run into DIR and
prints its command line, to try them by hand.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.hostile import inputs


@dataclass
class Workspace:
    """A case's own folder, and the pristine trained projects it may copy."""

    dir: Path
    projects: dict[str, Path]

    def file(self, name: str, make: Callable[[Path], Path] | None = None) -> str:
        """`make` the file `name` here (default: a copy of the penguins sample)."""
        path = self.dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if make is None:
            shutil.copyfile(inputs.PENGUINS, path)
        else:
            make(path)
        return name

    def write(self, name: str, content: str | bytes) -> str:
        inputs.write(self.dir / name, content)
        return name

    def run(self, kind: str = "table", project: str = "proj", run_id: str | None = None) -> str:
        """A copy of the trained `kind` run in `project`, named `run_id` when given (several
        copies of one run make a project of several runs); returns the run's path."""
        source = self.projects[kind]
        (original,) = (source / "runs").iterdir()
        name = run_id or original.name
        (self.dir / project / "runs").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / "project.json", self.dir / project / "project.json")
        shutil.copytree(original, self.dir / project / "runs" / name)
        return f"{project}/runs/{name}"


@dataclass
class Outcome:
    """What one command did."""

    argv: list[str]
    code: int | None
    out: str
    err: str
    written: list[str]  # paths added, changed or removed in the case folder

    def json(self):
        return json.loads(self.out)

    @property
    def messages(self) -> str:
        """What told the user something, lower-cased, whitespace collapsed (rich wraps lines)."""
        text = self.out + "\n" + self.err
        try:
            data = json.loads(self.out)
        except ValueError:
            data = None
        if isinstance(data, dict) and {"notes", "warnings", "skipped"} & set(data):
            said = [*data.get("notes", []), *data.get("warnings", []), *data.get("skipped", [])]
            text = "\n".join(map(str, said)) + "\n" + self.err
        return " ".join(text.lower().split())


@dataclass(frozen=True)
class Case:
    area: str  # tables | run-folders | validation | data-checks (who fixes it)
    name: str
    build: Callable[[Workspace], list[str]]  # the arguments after `dlstudio`
    codes: tuple[int, ...] = (2,)
    words: tuple[str | tuple[str, ...], ...] = ()
    check: Callable[[Outcome], None] | None = None
    needs: tuple[str, ...] = ()
    may_write: tuple[str, ...] = ()  # folders a successful command may write under

    @property
    def id(self) -> str:
        return f"{self.area}-{self.name}"


# ---------------------------------------------------------------- checks of correct reads


def _profile(outcome: Outcome) -> dict:
    try:
        return outcome.json()
    except ValueError as error:
        raise AssertionError(f"--json printed something that is not JSON: {error}") from None


def _penguins_read_right(outcome: Outcome, rows: int = 344) -> None:
    profile = _profile(outcome)
    assert profile["target"] == "species"
    if rows == 344:
        assert profile["classes"] == inputs.PENGUIN_CLASSES
    else:  # some rows skipped: still the three species and nothing shifted in
        assert set(profile["classes"]) == set(inputs.PENGUIN_CLASSES)
    assert profile["rows"] == rows
    assert [c["name"] for c in profile["columns"]] == inputs.PENGUIN_COLUMNS


def _islands_read_right(outcome: Outcome) -> None:
    if outcome.code == 0:
        profile = _profile(outcome)
        assert profile["classes"] == inputs.ISLAND_COUNTS, "accented names garbled"


def _ragged_lines_named(outcome: Outcome) -> None:
    _penguins_read_right(outcome, rows=344 - len(inputs.RAGGED_LINES))
    for line in inputs.RAGGED_LINES:
        assert re.search(rf"\b{line}\b", outcome.messages), f"line {line} is not named"


def _all_columns_kept(outcome: Outcome) -> None:
    profile = _profile(outcome)
    assert profile["target"] == "species" and profile["rows"] == 344
    assert len(profile["columns"]) == len(inputs.PENGUIN_COLUMNS)


# How a note says that a column got a new name (the missing-values warning names columns too,
# so the name alone does not prove the renaming was said).
RENAMED = ("renamed", "were named", "twice", "duplicate", "same name", "is now", "now called")


def _nested_flattened_or_named(outcome: Outcome) -> None:
    if outcome.code == 0:
        profile = _profile(outcome)
        names = [c["name"] for c in profile["columns"]]
        bill = [c for c in profile["columns"] if c["name"].startswith("bill")]
        left_out = any("bill" in s for s in profile.get("skipped", []))
        assert left_out or (bill and all(c["role"] == "numeric" for c in bill)), names


def _not_words_as_classes(outcome: Outcome) -> None:
    if outcome.code == 0:
        profile = _profile(outcome)
        assert "about 20" not in profile["classes"], "a typo became a class"


def _wide_said(outcome: Outcome) -> None:
    if outcome.code == 0:
        assert _profile(outcome)["rows"] == 60


def _images_read_right(classes: int = 3, per_class: int = 8) -> Callable[[Outcome], None]:
    def check(outcome: Outcome) -> None:
        profile = _profile(outcome)
        assert profile["kind"] == "images"
        assert profile["classes"] == {str(c): per_class for c in range(classes)}

    return check


def _empty_class_left_out(outcome: Outcome) -> None:
    if outcome.code == 0:
        assert "sevens" not in _profile(outcome)["classes"]


def _runs_listed(*run_ids: str) -> Callable[[Outcome], None]:
    def check(outcome: Outcome) -> None:
        listed = {row["run"] for row in outcome.json()}
        assert set(run_ids) <= listed, f"runs hidden: {set(run_ids) - listed}"

    return check


def _first_trial_kept(outcome: Outcome) -> None:
    rows = outcome.json()
    assert any(row["trial"] == "0" and row["status"] == "completed" for row in rows)


def _evaluation_or_spec_named(outcome: Outcome) -> None:
    if outcome.code == 0:
        assert "accuracy" in outcome.out


# ---------------------------------------------------------------- the corpus

P = "penguins.csv"
TRAIN = ["--target", "species", "--epochs", "1", "--project", "proj"]
TUNE = [*TRAIN, "--max-trials", "1"]


def _train(*extra: str) -> Callable[[Workspace], list[str]]:
    return lambda w: ["train", w.file(P), *TRAIN, *extra]


def _tune(*extra: str) -> Callable[[Workspace], list[str]]:
    return lambda w: ["tune", w.file(P), *TUNE, *extra]


def _space(entries) -> Callable[[Workspace], list[str]]:
    text = entries if isinstance(entries, str) else json.dumps(entries)
    return lambda w: ["tune", w.file(P), *TUNE, "--space", w.write("space.json", text)]


def _inspect(make: Callable[[Path], Path], *extra: str, name: str = "data.csv"):
    return lambda w: ["inspect", w.file(name, make), "--json", *extra]


def _train_on(make: Callable[[Path], Path], *extra: str):
    return lambda w: [
        "train",
        w.file("data.csv", make),
        "--epochs",
        "1",
        "--project",
        "proj",
        *extra,
    ]


def _images(hostile: Callable[[Path], object]) -> Callable[[Workspace], list[str]]:
    def build(w: Workspace) -> list[str]:
        root = inputs.digits(w.dir / "photos")
        hostile(root)
        return ["inspect", "photos", "--json"]

    return build


def _with_run(change: Callable[[Path], object], *command: str) -> Callable[[Workspace], list[str]]:
    """A copy of the trained table run, changed, then `command` with RUN replaced by its path."""

    def build(w: Workspace) -> list[str]:
        run = w.run()
        change(w.dir / run)
        w.file("new.csv")  # new data for predict
        return [run if part == "RUN" else part for part in command]

    return build


def _predict(data: Callable[[Workspace], str], *extra: str, kind: str = "table"):
    return lambda w: ["predict", w.run(kind), data(w), *extra]


def _penguins_without(column: str) -> Callable[[Path], Path]:
    def edit(rows):
        return [{k: v for k, v in r.items() if k != column} for r in rows]

    return lambda path: inputs.penguins_frame_edit(path, edit)


def _penguins_words_in(column: str) -> Callable[[Path], Path]:
    return lambda path: inputs.penguins_frame_edit(
        path, lambda rows: [{**r, column: "long"} for r in rows]
    )


def _symlink(w: Workspace, link: str, target: str) -> str:
    (w.dir / link).symlink_to(target)
    return link


def _unwritable(name: str) -> str:
    """A place nobody can write, root included (the tests may run as root)."""
    return f"/proc/dlstudio-hostile/{name}"


def _two_runs_one_garbage(w: Workspace) -> list[str]:
    w.run(run_id="20260101-000000-train")
    bad = w.dir / w.run(run_id="20260101-000001-train")
    (bad / "state.json").write_bytes(b'\x00\x17garbage{"status": ')
    w.run(run_id="20260101-000002-train")
    return ["runs", "proj", "--json"]


def _cut_trial(w: Workspace) -> list[str]:
    inputs.cut_trial_line(w.dir / w.run(run_id="20260101-000000-train"))
    return ["runs", "proj", "--json"]


def _txt_folder(w: Workspace) -> str:
    for name in ("a.txt", "b.txt"):
        w.write(f"notes/{name}", "not a picture\n")
    return "notes"


CASES: list[Case] = [
    # ---- validation: flags checked before anything is created or TensorFlow is loaded
    Case(
        "validation",
        "epochs_0",
        lambda w: ["train", w.file(P), "--target", "species", "--epochs", "0", "--project", "proj"],
        words=("--epochs",),
    ),
    Case(
        "validation",
        "epochs_negative",
        lambda w: [
            "train",
            w.file(P),
            "--target",
            "species",
            "--epochs",
            "-1",
            "--project",
            "proj",
        ],
        words=("--epochs",),
    ),
    Case(
        "validation",
        "epochs_word",
        lambda w: ["train", w.file(P), "--epochs", "abc"],
        words=("--epochs",),
    ),
    Case("validation", "patience_negative", _train("--patience", "-1"), words=("--patience",)),
    Case("validation", "clip_norm_0", _train("--clip-norm", "0"), words=("--clip-norm",)),
    Case(
        "validation",
        "max_trials_0",
        lambda w: ["tune", w.file(P), *TRAIN, "--max-trials", "0"],
        words=("--max-trials",),
    ),
    Case(
        "validation",
        "max_trials_negative",
        lambda w: ["tune", w.file(P), *TRAIN, "--max-trials", "-3"],
        words=("--max-trials",),
    ),
    Case("validation", "time_limit_0", _tune("--time-limit", "0"), words=("--time-limit",)),
    Case(
        "validation", "time_limit_word", _tune("--time-limit", "abc"), words=("--time-limit", "abc")
    ),
    Case("validation", "tuner_unknown", _tune("--tuner", "nope"), words=("--tuner",)),
    Case(
        "validation",
        "set_word_for_number",
        _train("--set", "learning_rate=fast"),
        words=("learning_rate", "fast"),
    ),
    Case("validation", "set_unknown_name", _train("--set", "unknown=1"), words=("unknown",)),
    Case(
        "validation",
        "set_misspelt_name",
        _train("--set", "learnig_rate=0.01"),
        words=("learnig_rate", "learning_rate"),
    ),
    Case(
        "validation",
        "set_not_a_choice",
        _train("--set", "activation=swishy"),
        words=("activation", "swishy"),
    ),
    Case("validation", "set_without_value", _train("--set", "units"), words=("--set",)),
    Case("validation", "set_on_tune", _tune("--set", "dropout=lots"), words=("dropout",)),
    Case("validation", "arch_unknown", _train("--arch", "nope"), words=("nope",)),
    Case(
        "validation",
        "arch_for_images_on_table",
        _train("--arch", "small_cnn"),
        words=("small_cnn",),
    ),
    Case("validation", "weights_missing", _train("--weights", "missing.h5"), words=("missing.h5",)),
    Case("validation", "space_not_json", _space('{"units": [32, 64'), words=("space.json",)),
    Case(
        "validation", "space_not_an_object", _space([1, 2, 3]), words=(("space.json", "--space"),)
    ),
    Case(
        "validation",
        "space_file_missing",
        lambda w: ["tune", w.file(P), *TUNE, "--space", "nospace.json"],
        words=("nospace.json",),
    ),
    Case(
        "validation",
        "space_min_above_max",
        _space({"depth": {"type": "int", "min": 3, "max": 1, "default": 2}}),
        words=("depth", ("min", "max")),
    ),
    Case(
        "validation",
        "space_log_range_with_0",
        _space(
            {
                "learning_rate": {
                    "type": "float",
                    "min": 0,
                    "max": 0.01,
                    "log": True,
                    "default": 0.001,
                }
            }
        ),
        words=("learning_rate", "log"),
    ),
    Case(
        "validation",
        "space_empty_choices",
        _space({"activation": {"type": "choice", "values": [], "default": "relu"}}),
        words=("activation",),
    ),
    Case(
        "validation",
        "space_unknown_name",
        _space({"learnig_rate": {"type": "float", "min": 0.001, "max": 0.01, "default": 0.003}}),
        words=("learnig_rate", "learning_rate"),
    ),
    Case(
        "validation",
        "space_unknown_type",
        _space({"units": {"type": "integer", "min": 8, "max": 64}}),
        words=("units",),
    ),
    Case(
        "validation",
        "task_regression_on_text_target",
        _train("--task", "regression"),
        words=("regression", "species"),
    ),
    Case(
        "validation",
        "task_binary_on_three_classes",
        _train("--task", "binary"),
        words=("binary", "species"),
    ),
    Case(
        "validation",
        "target_missing_column",
        lambda w: ["train", w.file(P), "--target", "specie", "--epochs", "1", "--project", "proj"],
        words=("specie", "species"),
    ),
    Case("validation", "role_unknown", _train("--role", "island=colour"), words=("colour",)),
    Case(
        "validation",
        "sheet_missing_inspect",
        lambda w: ["inspect", w.file("book.xlsx", inputs.excel_book), "--sheet", "Nope"],
        words=("nope",),
    ),
    Case(
        "validation",
        "sheet_missing_train",
        lambda w: ["train", w.file("book.xlsx", inputs.excel_book), "--sheet", "Nope", *TRAIN],
        words=("nope",),
    ),
    Case(
        "validation",
        "no_data_given",
        lambda w: ["train", "--target", "species", "--project", "proj"],
        words=("data",),
    ),
    Case(
        "validation", "inspect_missing_path", lambda w: ["inspect", "nope.csv"], words=("nope.csv",)
    ),
    Case(
        "validation",
        "train_missing_path",
        lambda w: ["train", "nope.csv", "--epochs", "1", "--project", "proj"],
        words=("nope.csv",),
    ),
    Case(
        "validation",
        "tune_missing_path",
        lambda w: ["tune", "nope.csv", "--max-trials", "1", "--project", "proj"],
        words=("nope.csv",),
    ),
    Case(
        "validation",
        "resume_missing_run",
        lambda w: ["tune", "--resume", "proj/runs/20260101-000000-tune"],
        words=("20260101-000000-tune",),
    ),
    Case(
        "validation",
        "evaluate_missing_run",
        lambda w: ["evaluate", "nope-run"],
        words=("nope-run",),
    ),
    Case(
        "validation",
        "export_missing_run",
        lambda w: ["export", "nope-run", "--out", "exported"],
        words=("nope-run",),
    ),
    Case(
        "validation",
        "predict_missing_model",
        lambda w: ["predict", "nope-run", w.file(P)],
        words=("nope-run",),
    ),
    Case(
        "validation",
        "runs_missing_project",
        lambda w: ["runs", "nope-project"],
        words=("nope-project",),
    ),
    Case("validation", "devices_stray_argument", lambda w: ["devices", "--gpu"], words=("--gpu",)),
    # ---- tables: read faithfully, or refused with the line and the reason
    Case("tables", "empty_file", _inspect(lambda p: inputs.write(p, "")), words=("empty",)),
    Case(
        "tables", "header_only", _inspect(lambda p: inputs.write(p, "a,b,c\n")), words=("header",)
    ),
    Case("tables", "binary_named_csv", _inspect(inputs.binary_junk), words=("binary",)),
    Case(
        "tables",
        "trailing_comma",
        _inspect(inputs.trailing_comma),
        codes=(0,),
        words=(("trailing", "empty field"),),
        check=_penguins_read_right,
    ),
    Case(
        "tables",
        "extra_field_on_most_rows",
        _inspect(inputs.extra_field_on_most_rows),
        words=(("field", "column", "value"),),
    ),
    Case(
        "tables",
        "unterminated_quote",
        _inspect(inputs.unterminated_quote),
        words=(
            "quote",
            (
                f"line {inputs.UNTERMINATED_QUOTE_LINE}",
                f"row {inputs.UNTERMINATED_QUOTE_LINE - 1}",
                f"row {inputs.UNTERMINATED_QUOTE_LINE}",
            ),
        ),
    ),
    Case(
        "tables",
        "ragged_rows_few",
        _inspect(inputs.ragged_few),
        codes=(0,),
        words=("line",),
        check=_ragged_lines_named,
    ),
    Case(
        "tables",
        "ragged_rows_many",
        _inspect(inputs.ragged_many),
        words=(("field", "column", "value"),),
    ),
    Case(
        "tables",
        "mixed_utf8_cp1252",
        _inspect(inputs.mixed_utf8_cp1252, "--target", "island"),
        codes=(0, 2),
        words=(("cp1252", "windows-1252", "encoding", "line"),),
        check=_islands_read_right,
    ),
    Case(
        "tables",
        "utf16_le_without_bom",
        _inspect(lambda p: inputs.utf16_without_bom(p, "le"), "--target", "island"),
        codes=(0,),
        check=_islands_read_right,
    ),
    Case(
        "tables",
        "utf16_be_without_bom",
        _inspect(lambda p: inputs.utf16_without_bom(p, "be"), "--target", "island"),
        codes=(0,),
        check=_islands_read_right,
    ),
    Case(
        "tables",
        "duplicate_header_names",
        _inspect(inputs.duplicate_header, "--target", "species"),
        codes=(0,),
        words=("bill_mm", RENAMED),
        check=_all_columns_kept,
    ),
    Case(
        "tables",
        "empty_header_name",
        _inspect(inputs.empty_header_name, "--target", "species"),
        codes=(0,),
        words=(RENAMED + ("no name", "unnamed", "blank", "empty name"),),
        check=_all_columns_kept,
    ),
    Case(
        "tables",
        "nested_json",
        _inspect(inputs.nested_json, "--target", "species", name="data.json"),
        codes=(0, 2),
        words=("bill",),
        check=_nested_flattened_or_named,
    ),
    # ---- data checks: data that cannot train is said up front, before any run folder
    Case(
        "data-checks",
        "numeric_target_with_words",
        _inspect(inputs.numeric_target_with_words, "--target", "price"),
        codes=(0, 2),
        words=("about 20",),
        check=_not_words_as_classes,
    ),
    Case(
        "data-checks",
        "one_class_only",
        _train_on(inputs.one_class_only, "--target", "species"),
        words=("one class",),
    ),
    Case(
        "data-checks",
        "class_with_one_row",
        _train_on(inputs.class_with_one_row, "--target", "species"),
        codes=(0, 2),  # refused, or trained after saying so up front
        words=("chinstrap", ("1 row", "one row", "single row", "only 1")),
        may_write=("proj",),
    ),
    Case(
        "data-checks",
        "single_column",
        _train_on(inputs.single_column),
        words=(("single column", "one column", "1 column", "no feature", "only column"),),
    ),
    Case(
        "data-checks",
        "wide_60_rows_10000_columns",
        _inspect(inputs.wide_table, "--target", "y"),
        codes=(0, 2),
        words=(("10000", "10,000", "10 000"), "60"),
        check=_wide_said,
    ),
    Case(
        "data-checks",
        "wide_60_rows_10000_columns_train",
        _train_on(inputs.wide_table, "--target", "y"),
        words=(("10000", "10,000", "10 000"), "60"),
    ),
    Case(
        "data-checks",
        "inf_in_feature",
        _inspect(inputs.inf_in_feature, "--target", "species"),
        codes=(0,),
        words=("bill_length_mm", "inf"),
    ),
    Case(
        "data-checks",
        "inf_in_regression_target",
        _inspect(inputs.inf_in_target, "--target", "body_mass_g"),
        codes=(0, 2),
        words=("body_mass_g", "inf"),
    ),
    Case(
        "data-checks",
        "corrupt_png_among_good",
        _images(lambda root: inputs.corrupt_png(root / "0" / "broken.png")),
        codes=(0,),
        words=("broken.png",),
        check=_images_read_right(),
    ),
    Case(
        "data-checks",
        "png_bomb_among_good",
        _images(lambda root: inputs.png_bomb(root / "1" / "bomb.png")),
        codes=(0,),
        words=("bomb.png",),
        check=_images_read_right(),
    ),
    Case(
        "data-checks",
        "empty_class_folder",
        _images(lambda root: (root / "sevens").mkdir()),
        codes=(0, 2),
        words=("sevens",),
        check=_empty_class_left_out,
    ),
    Case(
        "data-checks",
        "txt_in_image_folder",
        _images(lambda root: inputs.write(root / "2" / "notes.txt", "taken on a Tuesday\n")),
        codes=(0,),
        words=("notes.txt",),
        check=_images_read_right(),
    ),
    # ---- run folders: a damaged file never hides other runs nor crashes a command
    Case(
        "run-folders",
        "runs_garbage_state_among_good",
        _two_runs_one_garbage,
        codes=(0,),
        words=("state.json",),
        check=_runs_listed(
            "20260101-000000-train", "20260101-000001-train", "20260101-000002-train"
        ),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "runs_cut_trials_line",
        _cut_trial,
        codes=(0,),
        words=(("trials.jsonl", "unreadable", "damaged"),),
        check=_first_trial_kept,
        needs=("table",),
    ),
    Case(
        "run-folders",
        "runs_project_without_runs",
        lambda w: ["runs", w.write("empty-project/project.json", "{}").split("/")[0]],
        words=("empty-project",),
    ),
    Case(
        "run-folders",
        "resume_truncated_spec",
        _with_run(lambda run: inputs.truncate(run / "spec.json"), "tune", "--resume", "RUN"),
        words=("spec.json",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "evaluate_truncated_spec",
        _with_run(lambda run: inputs.truncate(run / "spec.json"), "evaluate", "RUN"),
        codes=(0, 2),
        words=(("accuracy", "spec.json"),),
        check=_evaluation_or_spec_named,
        needs=("table",),
    ),
    Case(
        "run-folders",
        "evaluate_truncated_evaluation",
        _with_run(lambda run: inputs.truncate(run / "evaluation.json"), "evaluate", "RUN"),
        words=("evaluation.json",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "evaluate_missing_evaluation",
        _with_run(lambda run: (run / "evaluation.json").unlink(), "evaluate", "RUN"),
        words=("evaluation",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "evaluate_truncated_model_card",
        _with_run(lambda run: inputs.truncate(run / "model_card.json"), "evaluate", "RUN"),
        codes=(0, 2),
        words=(("accuracy", "model_card.json"),),
        check=_evaluation_or_spec_named,
        needs=("table",),
    ),
    Case(
        "run-folders",
        "predict_truncated_model_card",
        _with_run(
            lambda run: inputs.truncate(run / "model_card.json"), "predict", "RUN", "new.csv"
        ),
        words=("model_card.json",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "export_truncated_model_card",
        _with_run(
            lambda run: inputs.truncate(run / "model_card.json"),
            "export",
            "RUN",
            "--format",
            "keras",
            "--out",
            "exported",
        ),
        words=("model_card.json",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "predict_missing_model",
        _with_run(lambda run: (run / "model.keras").unlink(), "predict", "RUN", "new.csv"),
        words=("model.keras",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "export_missing_model",
        _with_run(
            lambda run: (run / "model.keras").unlink(),
            "export",
            "RUN",
            "--format",
            "keras",
            "--out",
            "exported",
        ),
        words=("model.keras",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "export_unknown_format",
        _with_run(lambda run: None, "export", "RUN", "--format", "pdf", "--out", "exported"),
        words=("pdf",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "export_unwritable_place",
        _with_run(
            lambda run: None, "export", "RUN", "--format", "keras", "--out", _unwritable("export")
        ),
        words=("/proc/dlstudio-hostile",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "export_out_is_a_file",
        lambda w: [
            "export",
            w.run(),
            "--format",
            "keras",
            "--out",
            w.write("notafolder.txt", "keep me\n"),
        ],
        words=("notafolder.txt",),
        needs=("table",),
    ),
    # ---- predict inputs
    Case(
        "run-folders",
        "predict_output_is_input",
        _predict(lambda w: w.file(P), "-o", P),
        words=("-o",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "predict_output_is_input_other_spelling",
        _predict(lambda w: w.file(P), "-o", f"proj/../{P}"),
        words=("-o",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "predict_output_is_input_via_symlink",
        lambda w: ["predict", w.run(), w.file(P), "-o", _symlink(w, "link.csv", P)],
        words=("-o",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "predict_output_unwritable",
        _predict(lambda w: w.file(P), "-o", _unwritable("predictions.csv")),
        words=("/proc/dlstudio-hostile",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "predict_missing_column",
        _predict(lambda w: w.file("new.csv", _penguins_without("bill_length_mm"))),
        words=("bill_length_mm",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "predict_words_in_number_column",
        _predict(lambda w: w.file("new.csv", _penguins_words_in("bill_length_mm"))),
        words=("bill_length_mm",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "predict_empty_file",
        _predict(lambda w: w.write("new.csv", "")),
        words=("empty",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "predict_missing_data",
        _predict(lambda w: "nope.csv"),
        words=("nope.csv",),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "predict_images_into_table_model",
        _predict(lambda w: str(inputs.digits(w.dir / "photos").relative_to(w.dir))),
        words=(("table", "column"),),
        needs=("table",),
    ),
    Case(
        "run-folders",
        "predict_text_files_into_image_model",
        _predict(_txt_folder, kind="image"),
        words=("image",),
        needs=("image",),
    ),
    Case(
        "run-folders",
        "predict_data_and_text",
        _predict(lambda w: w.file(P), "--text", "hello"),
        words=("--text",),
        needs=("table",),
    ),
]


def main(folder: str) -> None:
    """Write the inputs of every case that needs no trained run, one folder per case."""
    root = Path(folder)
    for case in CASES:
        if case.needs:
            print(f"# {case.id}: needs a trained {case.needs[0]} run; skipped here")
            continue
        here = root / case.id
        here.mkdir(parents=True, exist_ok=True)
        argv = case.build(Workspace(here, {}))
        codes = " or ".join(map(str, case.codes))
        print(f"(cd {here} && dlstudio {' '.join(argv)})  # expect exit {codes}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "hostile-inputs")
