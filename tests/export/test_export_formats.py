"""Export round trips: every format gives the Keras models' codes on the same ROIs."""

import numpy as np
import pytest

from lateral_keras.export import (
    UnsupportedOpsError,
    build_inference_model,
    check_export,
    export_model,
    key_inputs,
    load_exported,
    reference_outputs,
)

SUFFIX = {"keras": "model.keras", "savedmodel": "saved_model", "tflite": "model.tflite"}


def round_trip(run_models, tmp_path, fmt, outputs="both"):
    embedder, codes, rois = run_models
    path = str(tmp_path / SUFFIX[fmt])
    export_model(build_inference_model(embedder, codes, outputs), path, fmt)
    return path


def test_keras_export_matches_and_the_key_stays_outside(run_models, tmp_path):
    embedder, codes, rois = run_models
    path = round_trip(run_models, tmp_path, "keras")
    result = check_export(path, "keras", embedder, codes, rois, key=b"first key", atol=1e-5)
    assert result["ok"] and result["codes_identical"], result
    run = load_exported(path, "keras")
    one = run({"roi": rois, **key_inputs(b"first key", 12, 4)})["codes"]
    two = run({"roi": rois, **key_inputs(b"second key", 12, 4)})["codes"]
    assert one.shape == (10, 12) and (one != two).mean() > 0.3
    plain = run({"roi": rois, **key_inputs(None, 12, 4)})["codes"]
    np.testing.assert_array_equal(plain, codes.predict(embedder.predict(rois, verbose=0),
                                                       verbose=0))


def test_embedding_only_model_has_no_key_inputs(run_models, tmp_path):
    embedder, codes, rois = run_models
    model = build_inference_model(embedder, None, "embedding")
    assert [tensor.name for tensor in model.inputs] == ["roi"]
    out = model({"roi": rois})
    assert set(out) == {"embedding"}
    np.testing.assert_allclose(np.asarray(out["embedding"]),
                               reference_outputs(embedder, None, rois, b"k")["embedding"],
                               atol=1e-5)
    with pytest.raises(ValueError, match="code model"):
        build_inference_model(embedder, None, "codes")
    with pytest.raises(ValueError, match="outputs"):
        build_inference_model(embedder, codes, "logits")
    with pytest.raises(ValueError, match="fmt"):
        export_model(model, str(tmp_path / "x"), "onnx")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["savedmodel", "tflite"])
def test_tensorflow_formats_give_identical_codes(run_models, tmp_path, fmt):
    embedder, codes, rois = run_models
    path = round_trip(run_models, tmp_path, fmt)
    result = check_export(path, fmt, embedder, codes, rois)
    assert result["codes_identical"] and result["code_mismatches"] == 0, result
    assert result["embedding_max_abs_diff"] < 1e-3, result


@pytest.mark.slow
def test_tflite_names_the_ops_it_cannot_express(tmp_path):
    import keras

    x = keras.Input((6,), name="roi")
    model = keras.Model(x, {"codes": keras.ops.argmax(keras.layers.Dense(6)(x), axis=-1)})
    with pytest.raises(UnsupportedOpsError, match="BitwiseAnd.*savedmodel"):
        export_model(model, str(tmp_path / "m.tflite"), "tflite")
