"""A saved model with lateral_keras layers loads in a fresh process through saving.load_model."""

import subprocess
import sys

import keras
import numpy as np

from lateral_keras.layers import EmbeddingHead, IoMProjection


def test_fresh_process_loads_embedder_and_code_model(tmp_path):
    image = keras.Input((8, 8, 3))
    embedding = EmbeddingHead(embd_shape=16, seed=1)(keras.layers.Conv2D(4, 3)(image))
    codes = IoMProjection(m=8, q=4, seed=2)(embedding, mode="hard")
    model = keras.Model(image, [embedding, codes])
    path = str(tmp_path / "m.keras")
    model.save(path)
    x = np.random.default_rng(0).random((3, 8, 8, 3)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    expected = model.predict(x, verbose=0)
    script = (
        "import numpy as np, sys\n"
        "from lateral_keras.saving import load_model\n"
        f"m = load_model({path!r})\n"
        f"e, c = m.predict(np.load({str(tmp_path / 'x.npy')!r}), verbose=0)\n"
        f"np.save({str(tmp_path / 'e.npy')!r}, e); np.save({str(tmp_path / 'c.npy')!r}, c)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "e.npy"), expected[0], rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(np.load(tmp_path / "c.npy"), expected[1])
