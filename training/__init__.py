"""Training: the original study's MNIST models and better ones, compared and reported.

Needs TensorFlow; nothing in ``desktop/`` may import this package.
"""


def tensorflow_missing(prog: str) -> bool:
    """True (after saying so) when TensorFlow is absent, as in the app's runtime-only install."""
    import sys

    try:
        import keras  # noqa: F401
    except ImportError:
        print(f"{prog} needs TensorFlow, which the app does not install: "
              "pip install -e '.[train]' (see README.md)", file=sys.stderr)
        return True
    return False
