"""Converter: the best CNN of a training run to the int8 TFLite model the app ships, with proof."""
