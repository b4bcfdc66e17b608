"""Training: the original study's MNIST models and better ones, compared and reported.

Needs TensorFlow; nothing in ``desktop/`` may import this package.
"""
