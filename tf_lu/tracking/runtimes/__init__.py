"""How a tracker's feature extractor runs: Keras on TensorFlow, XLA-compiled, or LiteRT (TFLite) with XNNPACK."""
