"""The classical reference as a file a user can run: ONNX through skl2onnx, never a pickle.

The file takes exactly the inputs the network's exports take, by the same names (model_card.json
"inputs"; core/snippets.py builds them from raw data): numbers as float32 (NaN for missing),
categories as strings ("" for missing), dates as float32 seconds since 1970-01-01, texts as
strings, each shaped (rows, 1). It gives "probabilities" (one column per class, in the card's
class order) and "label" (the class name), or "value" in the target's own units.

- Tables: skl2onnx writes the boosted trees (TreeEnsemble); in front of them this module adds
  the encoding classic.py trains on: categories to their codes (LabelEncoder: unseen values
  share the "other" code, "" is missing), dates to their parts (seconds, year, month, day of
  week, hour: civil-from-days arithmetic in float64), numbers as they are.
- Texts: skl2onnx writes the word and word-pair counts (StringNormalizer, Tokenizer,
  TfIdfVectorizer); this module adds what skl2onnx 1.20 gets wrong or leaves out, with plain
  ONNX operations: the sublinear term frequency (1 + log(count); skl2onnx writes
  log(1 + count)), the idf weights, the L2 norm, and the linear model. Words are split with
  the RE2 expression TOKENS (skl2onnx's default splits on a fixed list of separators, which
  keeps one-letter words and so makes other word pairs than scikit-learn's) and lower-cased in
  the LOCALE ONNX Runtime must have.

Each file is checked as the network's exports are: loaded in onnxruntime in a fresh
interpreter without dlstudio (export/check.py) and compared with scikit-learn's own
predictions on the run's sample rows, which are kept beside it (SAMPLE_FILE) so that an
export checks the copy again. A model that does not convert, or whose file predicts
otherwise, gets the reason instead, and the window does not offer it.
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path
from types import MappingProxyType

import numpy as np

from dlstudio.core.data import Task
from dlstudio.core.errors import error_summary

CLASSIC_FILE = "classic.onnx"
SAMPLE_FILE = "classic_sample.npz"  # the sample rows' inputs and scikit-learn's outputs on them
SAMPLE_ROWS = 16
# ONNX opsets written: TreeEnsemble and LabelEncoder of ai.onnx.ml 3 load in onnxruntime 1.14+.
OPSETS = {"": 17, "ai.onnx.ml": 3}
# Runs of two or more letters, digits or underscores: scikit-learn's default token pattern
# (?u)\b\w\w+\b in RE2's words (RE2's \w and \b are ASCII only).
TOKENS = r"[\pL\pN_][\pL\pN_]+"
# StringNormalizer needs a locale to lower-case; C.UTF-8 is built into glibc 2.35+ (ONNX
# Runtime's default, en_US.UTF-8, is missing on many servers and containers).
LOCALE = "C.UTF-8"
SECONDS_PER_DAY = 86400.0


def save_classic_model(folder: Path, data, fitted) -> dict:
    """Write `fitted` (a classic.Fitted) to folder/CLASSIC_FILE and check it in a fresh
    process against scikit-learn on the test split's first rows.

    Returns:
        {"file": CLASSIC_FILE, "max_difference", "locale"?} when it is written and checked,
        else {"file": None, "reason"}. Never raises.
    """
    try:
        import onnxruntime  # noqa: F401  (the runtime the file is checked in)
        import skl2onnx  # noqa: F401
    except ImportError:
        return _not_kept(
            "skl2onnx and onnxruntime are not installed here, so the classical model could "
            "not be kept as an ONNX file (pip install 'dlstudio[onnx]')"
        )
    path = folder / CLASSIC_FILE
    try:
        model = classic_onnx(fitted)
        sample = {name: values[:SAMPLE_ROWS] for name, values in data.x["test"].items()}
        expected = fitted.outputs(sample)
    except Exception as error:  # noqa: BLE001  (skl2onnx's refusals vary: say it plainly)
        return _not_kept(f"skl2onnx could not convert it ({error_summary(error)})")
    path.write_bytes(model.SerializeToString())
    result = check_classic_file(path, sample, expected)
    if result.get("file") is None:
        path.unlink(missing_ok=True)
        return result
    keep_sample(folder / SAMPLE_FILE, sample, expected)
    if fitted.vectorizer is not None:
        result["locale"] = LOCALE
    return result


def check_classic_file(path: Path, sample: dict, expected: dict) -> dict:
    """Load `path` in onnxruntime in a fresh interpreter and compare its outputs on `sample`
    with `expected` (scikit-learn's): {"file", "max_difference"} or {"file": None, "reason"}."""
    from dlstudio.core.export.fresh_check import check_in_fresh_process

    problems: list[str] = []
    checked = check_in_fresh_process({"onnx": path}, sample, expected, problems, NOTES)
    if problems or not checked:
        return _not_kept("its ONNX file was written but " + "; ".join(problems or ["not checked"]))
    return {"file": path.name, "max_difference": checked[0].max_difference}


NOTES = {"onnx": "onnxruntime.InferenceSession(path); outputs probabilities and label"}


def keep_sample(path: Path, sample: dict, expected: dict) -> None:
    """The sample rows and scikit-learn's outputs on them, without pickles (strings as
    fixed-width Unicode), so that an export checks its copy of the file again."""
    arrays = {f"input/{k}": _storable(v) for k, v in sample.items()}
    arrays.update({f"output/{k}": _storable(v) for k, v in expected.items()})
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def read_sample(path: Path) -> tuple[dict, dict]:
    """The (inputs, expected outputs) keep_sample wrote."""
    inputs, outputs = {}, {}
    with np.load(path, allow_pickle=False) as stored:
        for key in stored:
            value = stored[key]
            value = value.astype(object) if value.dtype.kind == "U" else value
            kind, name = key.split("/", 1)
            (inputs if kind == "input" else outputs)[name] = value
    return inputs, outputs


def _storable(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values)
    return values.astype(str) if values.dtype == object else values


def _not_kept(reason: str) -> dict:
    return {"file": None, "reason": reason}


# ---------------------------------------------------------------- the graph


def classic_onnx(fitted):
    """The ONNX model of `fitted`: the network's raw inputs in, the outputs named above out."""
    if fitted.vectorizer is not None:
        return _text_model(fitted)
    return _table_model(fitted)


@contextlib.contextmanager
def _whole_numbers_for_flags():
    """skl2onnx 1.20 hands the trees' missing-value flags to onnx as Python booleans, which
    onnx 1.22+ refuses ("Expected an int, got a boolean"); fixed upstream (sklearn-onnx
    7d25c71, not yet released). Cast them to ints while converting, then put it back."""
    from skl2onnx.common import tree_ensemble

    original = tree_ensemble.add_node

    def add_node(*args, nodes_missing_value_tracks_true=0, **kwargs):
        return original(
            *args, nodes_missing_value_tracks_true=int(nodes_missing_value_tracks_true), **kwargs
        )

    tree_ensemble.add_node = add_node
    try:
        yield
    finally:
        tree_ensemble.add_node = original


class _Graph:
    """Nodes and constants added in front of and behind what skl2onnx writes."""

    def __init__(self) -> None:
        self.nodes, self.constants, self._count = [], [], 0

    def name(self, stem: str) -> str:
        self._count += 1
        return f"dl_{stem}_{self._count}"

    def const(self, value, dtype="float32") -> str:
        from onnx import numpy_helper

        name = self.name("const")
        self.constants.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, kind: str, inputs: list[str], domain: str = "", **attributes) -> str:
        from onnx import helper

        output = self.name(kind.lower())
        self.nodes.append(
            helper.make_node(kind, inputs, [output], name=output, domain=domain, **attributes)
        )
        return output

    def floor_div(self, x: str, by: float) -> str:
        return self.op("Floor", [self.op("Div", [x, self.const(by, "float64")])])


def _table_model(fitted):
    from onnx import TensorProto, helper
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType

    graph = _Graph()
    inputs, parts = [], []
    for spec in fitted.inputs:
        if spec.kind == "categorical":
            inputs.append(helper.make_tensor_value_info(spec.name, TensorProto.STRING, [None, 1]))
            codes = fitted.codes[spec.name]
            parts.append(
                graph.op(
                    "LabelEncoder",
                    [spec.name],
                    domain="ai.onnx.ml",
                    keys_strings=[*codes, ""],
                    values_floats=[float(c) for c in codes.values()] + [float("nan")],
                    default_float=float(len(codes)),  # rarer and unseen values: "other"
                )
            )
            continue
        inputs.append(helper.make_tensor_value_info(spec.name, TensorProto.FLOAT, [None, 1]))
        if spec.kind == "numeric":
            parts.append(spec.name)
        elif spec.kind == "datetime":
            parts.append(_date_parts(graph, spec.name))
        else:
            raise ValueError(f"no classical encoding for {spec.kind} inputs")
    width = sum(1 if s.kind != "datetime" else 5 for s in fitted.inputs)
    classifier = fitted.task is not Task.REGRESSION
    options = {id(fitted.estimator): {"zipmap": False}} if classifier else None
    with _whole_numbers_for_flags(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trees = to_onnx(
            fitted.estimator,
            initial_types=[("features", FloatTensorType([None, width]))],
            options=options,
            target_opset=OPSETS,
        )
    from onnx.compose import add_prefix

    trees = add_prefix(trees, "trees_")
    graph.nodes.append(
        helper.make_node("Concat", parts, ["trees_features"], name="dl_features", axis=1)
    )
    front = len(graph.nodes)  # the encoding, before the trees
    outputs = _outputs(graph, fitted, trees.graph.output[-1].name)
    return _model(graph, inputs, front, trees, outputs)


def _date_parts(graph: _Graph, name: str) -> str:
    """Seconds, year, month, day of week (Monday 0) and hour of float seconds since 1970, as
    classic.py's pandas gives them (NaN stays NaN): Howard Hinnant's civil_from_days."""
    seconds = graph.op("Cast", [name], to=11)  # float64: days since 1970 need it
    days = graph.floor_div(seconds, SECONDS_PER_DAY)
    of_day = graph.op(
        "Sub", [seconds, graph.op("Mul", [days, graph.const(SECONDS_PER_DAY, "float64")])]
    )
    hour = graph.floor_div(of_day, 3600.0)
    shifted = graph.op("Add", [days, graph.const(3.0, "float64")])  # 1970-01-01: a Thursday
    weekday = graph.op(
        "Sub",
        [shifted, graph.op("Mul", [graph.floor_div(shifted, 7.0), graph.const(7.0, "float64")])],
    )
    z = graph.op("Add", [days, graph.const(719468.0, "float64")])
    era = graph.floor_div(z, 146097.0)
    doe = graph.op("Sub", [z, graph.op("Mul", [era, graph.const(146097.0, "float64")])])
    yoe = graph.op(
        "Sub",
        [
            graph.op(
                "Add",
                [
                    graph.op("Sub", [doe, graph.floor_div(doe, 1460.0)]),
                    graph.floor_div(doe, 36524.0),
                ],
            ),
            graph.floor_div(doe, 146096.0),
        ],
    )
    yoe = graph.floor_div(yoe, 365.0)
    doy = graph.op(
        "Sub",
        [
            doe,
            graph.op(
                "Sub",
                [
                    graph.op(
                        "Add",
                        [
                            graph.op("Mul", [yoe, graph.const(365.0, "float64")]),
                            graph.floor_div(yoe, 4.0),
                        ],
                    ),
                    graph.floor_div(yoe, 100.0),
                ],
            ),
        ],
    )
    mp = graph.floor_div(
        graph.op(
            "Add",
            [graph.op("Mul", [doy, graph.const(5.0, "float64")]), graph.const(2.0, "float64")],
        ),
        153.0,
    )
    month = graph.op(
        "Where",
        [
            graph.op("Less", [mp, graph.const(10.0, "float64")]),
            graph.op("Add", [mp, graph.const(3.0, "float64")]),
            graph.op("Sub", [mp, graph.const(9.0, "float64")]),
        ],
    )
    early = graph.op("Cast", [graph.op("Less", [month, graph.const(2.5, "float64")])], to=11)
    year = graph.op(
        "Add",
        [graph.op("Add", [yoe, graph.op("Mul", [era, graph.const(400.0, "float64")])]), early],
    )
    parts = graph.op("Concat", [seconds, year, month, weekday, hour], axis=1)
    return graph.op("Cast", [parts], to=1)  # float32, as the trees read it


def _outputs(graph: _Graph, fitted, produced: str) -> list[tuple[str, str]]:
    """Nodes from the estimator's own output (`produced`: probabilities in estimator.classes_'
    order, or the scaled value) to the file's outputs: [(output name, node output)]."""
    if fitted.task is Task.REGRESSION:
        value = graph.op("Reshape", [produced, graph.const([-1, 1], "int64")])
        scaling = fitted.scaling
        if scaling is not None:
            value = graph.op("Mul", [value, graph.const(scaling.std)])
            value = graph.op("Add", [value, graph.const(scaling.mean)])
            if scaling.log:
                value = graph.op(
                    "Clip", [value, graph.const(scaling.low), graph.const(scaling.high)]
                )
                value = graph.op("Sub", [graph.op("Exp", [value]), graph.const(1.0)])
        return [("value", value)]
    names = list(fitted.class_names)
    present = np.asarray(fitted.estimator.classes_).astype(int)
    probabilities = produced
    if list(present) != list(range(len(names))):  # a class absent from the training rows
        spread = np.zeros((len(present), len(names)), dtype="float32")
        spread[np.arange(len(present)), present] = 1.0
        probabilities = graph.op("MatMul", [produced, graph.const(spread)])
    index = graph.op("ArgMax", [probabilities], axis=1, keepdims=1)
    label = graph.op(
        "LabelEncoder",
        [index],
        domain="ai.onnx.ml",
        keys_int64s=list(range(len(names))),
        values_strings=[str(n) for n in names],
        default_string="",
    )
    return [("probabilities", probabilities), ("label", label)]


def _model(graph: _Graph, inputs, front: int, core, outputs):
    """One ModelProto: the first `front` nodes of `graph` (the encoding), skl2onnx's own
    nodes (`core`), then the rest of `graph`, and an output for each of `outputs`."""
    from onnx import TensorProto, helper

    before, after = graph.nodes[:front], graph.nodes[front:]
    final = []
    for name, source in outputs:
        after.append(helper.make_node("Identity", [source], [name], name=f"dl_out_{name}"))
        kind = TensorProto.STRING if name == "label" else TensorProto.FLOAT
        final.append(helper.make_tensor_value_info(name, kind, [None, None]))
    body = helper.make_graph(
        [*before, *core.graph.node, *after],
        "dlstudio_classic",
        inputs,
        final,
        initializer=[*graph.constants, *core.graph.initializer],
    )
    opsets = {o.domain: o.version for o in core.opset_import}
    for domain, version in OPSETS.items():
        opsets[domain] = max(opsets.get(domain, 0), version)
    model = helper.make_model(
        body, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets.items()]
    )
    model.ir_version = core.ir_version
    model.producer_name = "dlstudio (skl2onnx)"
    return model


def _text_model(fitted):
    from onnx import TensorProto, helper
    from onnx.compose import add_prefix
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import StringTensorType
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = fitted.vectorizer
    name = fitted.inputs[0].name
    # The counts of exactly the words and word pairs the vectorizer kept, in its column order.
    counter = CountVectorizer(
        vocabulary=vectorizer.vocabulary_,
        ngram_range=vectorizer.ngram_range,
        lowercase=vectorizer.lowercase,
        dtype=np.float32,
    ).fit([""])
    # A read-only view: skl2onnx walks every dict and list of a model's fitted attributes
    # looking for sub-models, 6 s for a 40,000-entry vocabulary; it reads a mapping the same.
    counter.vocabulary_ = MappingProxyType(dict(vectorizer.vocabulary_))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        counts = to_onnx(
            counter,
            initial_types=[(name, StringTensorType([None, 1]))],
            options={id(counter): {"tokenexp": TOKENS, "locale": LOCALE}},
            target_opset=OPSETS,
        )
    counts = add_prefix(counts, "words_", rename_inputs=False)
    produced = counts.graph.output[0].name
    graph = _Graph()
    # 1 + log(count) where a word occurs (scikit-learn's sublinear_tf), 0 elsewhere.
    present = graph.op("Greater", [produced, graph.const(0.0)])
    logged = graph.op(
        "Add", [graph.op("Log", [graph.op("Max", [produced, graph.const(1.0)])]), graph.const(1.0)]
    )
    tf = (
        graph.op("Where", [present, logged, graph.const(0.0)])
        if vectorizer.sublinear_tf
        else produced
    )
    weighted = graph.op("Mul", [tf, graph.const(vectorizer.idf_.astype("float32"))])
    norm = graph.op("ReduceL2", [weighted], axes=[1], keepdims=1)
    unit = graph.op("Div", [weighted, graph.op("Max", [norm, graph.const(1e-30)])])
    estimator = fitted.estimator
    coef = np.atleast_2d(np.asarray(estimator.coef_, dtype="float32"))
    decision = graph.op(
        "Add",
        [
            graph.op("MatMul", [unit, graph.const(coef.T)]),
            graph.const(np.atleast_1d(np.asarray(estimator.intercept_, dtype="float32"))),
        ],
    )
    if fitted.task is Task.REGRESSION:
        produced_scores = decision
    elif coef.shape[0] == 1:  # two classes: the logistic of the one decision
        positive = graph.op("Sigmoid", [decision])
        produced_scores = graph.op(
            "Concat", [graph.op("Sub", [graph.const(1.0), positive]), positive], axis=1
        )
    else:
        produced_scores = graph.op("Softmax", [decision], axis=1)
    outputs = _outputs(graph, fitted, produced_scores)
    inputs = [helper.make_tensor_value_info(name, TensorProto.STRING, [None, 1])]
    return _model(graph, inputs, 0, counts, outputs)
