"""benchmarks/extractor_stress.py: the hand perturbation holds the fish where it says."""

import numpy as np

from lateral_keras.data.synthetic.render import render_image


def test_the_hand_covers_the_tail_root_and_reaches_the_border(benchmark_script):
    stress = benchmark_script("extractor_stress")
    photo, truth, masks = render_image(3, 0, 0, image_size=(400, 300), return_masks=True)
    painted = stress.hand(photo, truth, masks, np.random.default_rng(0))[0]
    changed = np.abs(painted.astype(int) - photo.astype(int)).sum(axis=2) > 30
    ys, xs = np.nonzero(masks["body"])
    far = np.argmax(np.hypot(xs - truth["ep"][0], ys - truth["ep"][1]))
    assert changed[ys[far], xs[far]]  # the fist is on the body's point farthest from the eye
    near = np.hypot(xs - truth["ep"][0], ys - truth["ep"][1]) < 0.3 * truth["length_px"]
    assert not changed[ys[near], xs[near]].any()  # the head is left alone
    assert changed[0].any() or changed[-1].any() or changed[:, 0].any() or changed[:, -1].any()
    red, green = painted[changed][:, 0].astype(int), painted[changed][:, 1].astype(int)
    assert np.median(red - green) > 20  # skin: more red than green
