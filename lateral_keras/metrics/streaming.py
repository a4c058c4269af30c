"""Streaming pairwise verification metrics for `model.compile(metrics=[...])`.

Each batch's labels `y_true` and outputs `y_pred` form every in-batch pair `i < j`; the pairs'
similarities go into fixed-bin genuine and impostor histograms that accumulate over all batches
(as `keras.metrics.AUC` accumulates its confusion matrices), so `result()` is the figure over
all the pairs seen, not an average of per-batch figures. Pairs across batches are never formed.

Example:

```python
model.compile(optimizer="adam", loss=loss, metrics=[PairwiseEER(), PairwiseAUC()])
model.fit(images, identities, batch_size=32)   # logs "pairwise_eer", "pairwise_auc"
```
"""

import numbers

import keras
from keras import ops

from lateral_keras import distances
from lateral_keras.metrics import histogram_roc

SIMILARITIES = ("cosine", "collision")


class PairwiseHistogramMetric(keras.metrics.Metric):
    """Base class: accumulates in-batch pair score histograms; subclasses read the ROC.

    Args:
        num_bins: int >= 2, histogram bins over the similarity range (`[-1, 1]` for cosine,
            `[0, 1]` for collision). Results are exact up to the ROC change within one bin.
        similarity: `"cosine"` for float embeddings `(batch, d)`, or `"collision"` for
            Index-of-Max codes: integer or soft indices `(batch, m)` (rounded to the nearest
            integer) or soft one-hot codes `(batch, m, q)` (argmax over `q`); the score is the
            share of colliding positions `c / m`. Use `num_bins > m` so that every collision
            count has its own bin (the figures are then exact).
        name: optional metric name.
        dtype: optional dtype of the state and the result.

    Call arguments (`update_state`):
        y_true: identity labels, shape `(batch,)` or `(batch, 1)`.
        y_pred: embeddings or codes as above.
        sample_weight: optional, shape `(batch,)`; pair `(i, j)` weighs `w_i * w_j`.
    """

    def __init__(self, num_bins=200, similarity="cosine", name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if isinstance(num_bins, bool) or not isinstance(num_bins, numbers.Integral) or num_bins < 2:
            raise ValueError(f"`num_bins` must be an int >= 2. Received: num_bins={num_bins}")
        if similarity not in SIMILARITIES:
            raise ValueError(
                f"`similarity` must be one of {SIMILARITIES}. Received: similarity={similarity}"
            )
        self.num_bins = int(num_bins)
        self.similarity = similarity
        self.low = -1.0 if similarity == "cosine" else 0.0
        self.genuine_counts = self.add_variable(
            shape=(self.num_bins,), initializer="zeros", dtype=self.dtype, name="genuine_counts"
        )
        self.impostor_counts = self.add_variable(
            shape=(self.num_bins,), initializer="zeros", dtype=self.dtype, name="impostor_counts"
        )

    def _similarity_matrix(self, y_pred):
        if self.similarity == "cosine":
            return ops.cast(distances.pairwise_cosine_similarity(y_pred), self.dtype)
        y_pred = ops.convert_to_tensor(y_pred)
        if len(y_pred.shape) == 3:
            codes = ops.argmax(y_pred, axis=-1)
        else:
            codes = ops.round(y_pred) if keras.backend.is_float_dtype(y_pred.dtype) else y_pred
        return ops.cast(distances.collision_similarity(ops.cast(codes, "int32")), self.dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the scores of all in-batch pairs `i < j` to the histograms."""
        genuine, impostor = histogram_roc.pair_histograms(
            y_true,
            self._similarity_matrix(y_pred),
            self.num_bins,
            self.low,
            1.0,
            sample_weight=sample_weight,
        )
        self.genuine_counts.assign_add(genuine)
        self.impostor_counts.assign_add(impostor)

    def reset_state(self):
        """Empties both histograms."""
        self.genuine_counts.assign(ops.zeros((self.num_bins,), dtype=self.dtype))
        self.impostor_counts.assign(ops.zeros((self.num_bins,), dtype=self.dtype))

    def result(self):
        """The subclass's figure over every pair seen (NaN until both classes were seen)."""
        far, tar = histogram_roc.histogram_roc(self.genuine_counts, self.impostor_counts)
        return self._from_roc(far, tar)

    def _from_roc(self, far, tar):
        """Hook: the figure from the ROC points `far`, `tar` of shape `(num_bins + 1,)`."""
        raise NotImplementedError

    def get_config(self):
        """Returns the constructor arguments."""
        return {**super().get_config(), "num_bins": self.num_bins, "similarity": self.similarity}


@keras.saving.register_keras_serializable(package="lateral_keras")
class PairwiseEER(PairwiseHistogramMetric):
    """Equal error rate over all in-batch pairs seen (lower is better).

    Args: see `PairwiseHistogramMetric`; `name` defaults to `"pairwise_eer"`.

    Example:

    >>> metric = PairwiseEER(num_bins=400)
    >>> metric.update_state([0, 0, 1, 1], embeddings)  # embeddings (4, d)
    >>> float(metric.result())
    """

    def __init__(self, num_bins=200, similarity="cosine", name="pairwise_eer", dtype=None):
        super().__init__(num_bins=num_bins, similarity=similarity, name=name, dtype=dtype)

    def _from_roc(self, far, tar):
        return histogram_roc.roc_eer(far, tar)


@keras.saving.register_keras_serializable(package="lateral_keras")
class PairwiseAUC(PairwiseHistogramMetric):
    """Area under the ROC curve over all in-batch pairs seen (higher is better).

    Args: see `PairwiseHistogramMetric`; `name` defaults to `"pairwise_auc"`.

    Example:

    >>> metric = PairwiseAUC(similarity="collision", num_bins=64)
    >>> metric.update_state(labels, codes)  # codes (batch, m) ints
    """

    def __init__(self, num_bins=200, similarity="cosine", name="pairwise_auc", dtype=None):
        super().__init__(num_bins=num_bins, similarity=similarity, name=name, dtype=dtype)

    def _from_roc(self, far, tar):
        return histogram_roc.roc_auc(far, tar)


@keras.saving.register_keras_serializable(package="lateral_keras")
class PairwiseTARatFAR(PairwiseHistogramMetric):
    """Largest TAR at FAR <= `far` over all in-batch pairs seen (higher is better).

    Only bin edges serve as thresholds, so the TAR is the exact one at the highest edge whose
    FAR does not exceed `far`: it can be below the exact-score figure by up to one bin. NaN while
    fewer than `1 / far` impostor pairs were seen.

    Args:
        far: float in `(0, 1]`, the FAR target.
        num_bins, similarity, dtype: see `PairwiseHistogramMetric`.
        name: defaults to `"pairwise_tar_at_far"`.

    Example:

    >>> metric = PairwiseTARatFAR(far=1e-2)
    """

    def __init__(
        self, far=1e-2, num_bins=200, similarity="cosine", name="pairwise_tar_at_far", dtype=None
    ):
        super().__init__(num_bins=num_bins, similarity=similarity, name=name, dtype=dtype)
        if isinstance(far, bool) or not isinstance(far, numbers.Real) or not 0 < far <= 1:
            raise ValueError(f"`far` must be a float in (0, 1]. Received: far={far}")
        self.far = float(far)

    def _from_roc(self, far, tar):
        return histogram_roc.roc_tar_at_far(far, tar, ops.sum(self.impostor_counts), self.far)

    def get_config(self):
        """Returns the constructor arguments."""
        return {**super().get_config(), "far": self.far}
