"""Metric-loss registry: our names and the original configuration's `loss_fun` names.

Example:

```python
from lateral_keras.losses import get_metric_loss

loss = get_metric_loss("batch_hard_arc_triplet_loss", margin=0.1)  # an ArcTripletLoss
```
"""

from lateral_keras.losses.arc_triplet import ArcTripletLoss
from lateral_keras.losses.triplet import TripletLoss

_LOSSES = {
    "batch_hard_triplet": (TripletLoss, "batch_hard"),
    "batch_hard_triplet_loss": (TripletLoss, "batch_hard"),
    "batch_all_triplet": (TripletLoss, "batch_all"),
    "batch_all_triplet_loss": (TripletLoss, "batch_all"),
    "semi_hard_triplet": (TripletLoss, "semi_hard"),
    "semihard_triplet_loss": (TripletLoss, "semi_hard"),
    "triplet_semi": (TripletLoss, "semi_hard"),
    "batch_hard_arc_triplet": (ArcTripletLoss, "batch_hard"),
    "batch_hard_arc_triplet_loss": (ArcTripletLoss, "batch_hard"),
    "batch_all_arc_triplet": (ArcTripletLoss, "batch_all"),
    "batch_all_arc_triplet_loss": (ArcTripletLoss, "batch_all"),
}

METRIC_LOSS_NAMES = tuple(sorted(_LOSSES))


def get_metric_loss(name, **kwargs):
    """Builds the metric-learning loss registered under `name`.

    Args:
        name: one of `METRIC_LOSS_NAMES`, e.g. `"batch_hard_triplet"`, `"triplet_semi"`,
            `"batch_all_arc_triplet_loss"` (the original's `loss_fun` values all resolve).
        **kwargs: forwarded to the loss class (`margin`, `distance`, `scale`, `reduction`, ...);
            the mining strategy comes from `name`.

    Returns:
        A `TripletLoss` or `ArcTripletLoss` instance.

    Example:

    >>> get_metric_loss("semihard_triplet_loss", margin=0.2).mining  # "semi_hard"
    """
    if name not in _LOSSES:
        raise ValueError(
            f"Unknown metric loss; valid names: {METRIC_LOSS_NAMES}. Received: name={name}"
        )
    if "mining" in kwargs:
        raise ValueError(
            f"The mining strategy is given by `name`. Received: mining={kwargs['mining']}"
        )
    loss_class, mining = _LOSSES[name]
    return loss_class(mining=mining, **kwargs)
