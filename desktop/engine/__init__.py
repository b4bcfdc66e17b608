"""The Qt-free engine the app and the CLI share: load an image, turn it into the model's input,
classify it. Neither Qt nor TensorFlow may be imported here (an import-linter contract checks)."""
