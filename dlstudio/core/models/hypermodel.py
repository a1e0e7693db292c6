"""One keras-tuner HyperModel for every template: the search space is data, the builder code."""

from __future__ import annotations

import keras_tuner as kt

from dlstudio.core.data.prepare import PreparedData
from dlstudio.core.models import images, tabular, text
from dlstudio.core.models.heads import compile_model
from dlstudio.core.models.space import register

BUILDERS = {
    "mlp": lambda data, values, weights: tabular.build_mlp(data, values),
    "small_cnn": images.build_small_cnn,
    "resnet": images.build_resnet,
    "mobilenet_v3_small": images.build_mobilenet_v3_small,
    "efficientnet_b0": images.build_efficientnet_b0,
    "tfidf_mlp": text.build_tfidf_mlp,
    "cnn1d": text.build_cnn1d,
    "bilstm": text.build_bilstm,
    "transformer": text.build_transformer,
}


class TemplateHyperModel(kt.HyperModel):
    """Builds and compiles `template` with the values keras-tuner picked from `space`."""

    def __init__(
        self,
        data: PreparedData,
        template: str,
        space: dict,
        clip_norm: float | None = None,
        weights: str | None = None,
    ) -> None:
        super().__init__(name=template)
        self.data = data
        self.template = template
        self.space = space
        self.clip_norm = clip_norm
        self.weights = weights

    def declare(self, hp: kt.HyperParameters) -> dict:
        """Register every entry of the space on `hp`; returns the chosen values."""
        return {name: register(hp, name, entry) for name, entry in self.space.items()}

    def declare_hyperparameters(self, hp: kt.HyperParameters) -> None:
        """keras-tuner's hook: the whole space is known before the first trial."""
        self.declare(hp)

    def build(self, hp: kt.HyperParameters):
        values = self.declare(hp)
        model = BUILDERS[self.template](self.data, values, self.weights)
        return compile_model(model, self.data, values, self.clip_norm)

    def build_for_inference(self, hp: kt.HyperParameters, trained):
        """The trained model again, without its augmentation layers (random operations that
        only act while training, and that LiteRT cannot convert), holding the same weights."""
        values = self.declare(hp)
        if not values.get("augment"):
            return trained
        plain = BUILDERS[self.template](self.data, {**values, "augment": False}, self.weights)
        for layer in plain.layers:
            if layer.weights:
                layer.set_weights(trained.get_layer(layer.name).get_weights())
        return plain
