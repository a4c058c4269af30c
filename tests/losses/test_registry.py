"""The metric-loss registry resolves our names and the original configuration's."""

import pytest

from lateral_keras.losses import METRIC_LOSS_NAMES, ArcTripletLoss, TripletLoss, get_metric_loss

pytestmark = pytest.mark.backend_agnostic


@pytest.mark.parametrize(
    "name, loss_class, mining",
    [
        ("batch_hard_triplet", TripletLoss, "batch_hard"),
        ("batch_all_triplet_loss", TripletLoss, "batch_all"),
        ("semihard_triplet_loss", TripletLoss, "semi_hard"),
        ("triplet_semi", TripletLoss, "semi_hard"),
        ("batch_all_arc_triplet_loss", ArcTripletLoss, "batch_all"),
        ("batch_hard_arc_triplet_loss", ArcTripletLoss, "batch_hard"),
    ],
)
def test_original_config_names_resolve(name, loss_class, mining):
    loss = get_metric_loss(name, margin=0.2)
    assert type(loss) is loss_class
    assert loss.mining == mining
    assert loss.margin == 0.2


def test_every_listed_name_builds_and_kwargs_are_forwarded():
    for name in METRIC_LOSS_NAMES:
        assert get_metric_loss(name, reduction="sum").reduction == "sum"
    assert get_metric_loss("batch_hard_triplet", distance="angular").distance == "angular"
    assert get_metric_loss("batch_hard_arc_triplet", scale=8.0).scale == 8.0


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="triplet_semi.*Received: name=contrastive"):
        get_metric_loss("contrastive")


def test_mining_conflicts_with_the_name():
    with pytest.raises(ValueError, match="Received: mining=batch_all"):
        get_metric_loss("batch_hard_triplet", mining="batch_all")
