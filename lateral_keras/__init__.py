"""lateral_keras: individual fish identification from lateral skin photos, in Keras 3.

Subpackages are imported on demand, so ``import lateral_keras`` stays cheap: ``config``,
``data`` (layout, splits, ``data.synthetic``), ``preprocessing`` (ROI extraction, augmentation),
``models`` (backbones), ``layers``, ``losses``, ``metrics``, ``distances``, ``evaluation``
(the protocol), ``training`` (stage one, stage two, run folders), ``plots``, ``saving``.
"""

__version__ = "0.1.0"
