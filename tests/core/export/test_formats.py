"""Which formats a model can be exported to is known from its card, before any work."""

from __future__ import annotations

from dlstudio.core.formats import FORMATS, available_formats, offered_formats


def _card(*kinds):
    return {
        "inputs": [{"name": f"c{i}", "column": f"col {i}", "kind": k} for i, k in enumerate(kinds)]
    }


def test_numbers_categories_and_images_go_everywhere():
    for kinds in (("numeric",), ("numeric", "categorical", "datetime"), ("image",)):
        assert available_formats(_card(*kinds)) == list(FORMATS)


def test_text_is_refused_by_onnx_and_litert_with_the_reason():
    offers = {o.name: o for o in offered_formats(_card("numeric", "text"))}
    assert offers["keras"].available and offers["savedmodel"].available
    for name in ("onnx", "tflite"):
        assert not offers[name].available
        assert "'col 1'" in offers[name].reason and "string operations" in offers[name].reason
