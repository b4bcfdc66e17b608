"""The PySide6 window. Qt lives only here; the engine it shows knows nothing of Qt."""
