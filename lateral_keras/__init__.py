"""lateral_keras: individual fish identification from lateral skin photos, in Keras 3.

Subpackages are imported on demand, so ``import lateral_keras`` stays cheap: ``config``,
``data`` (layout, splits, ``data.synthetic``), ``preprocessing`` (ROI extraction, augmentation),
``models`` (backbones), ``layers``, ``losses``, ``metrics``, ``distances``, ``evaluation``
(the protocol and the run report), ``training`` (stage one, stage two, run folders),
``gallery`` (enrolment and 1:N search), ``protection`` (keys, revocability, unlinkability),
``tuning`` (KerasTuner search), ``distribute`` (multi-worker training), ``export``
(deployable models), ``plots``, ``saving``, ``cli`` (the ``lateral`` command).
"""

__version__ = "0.1.0"
