"""Set-up for the ``lateral-keras`` distribution (package ``lateral_keras``)."""

from setuptools import find_packages, setup

setup(
    name="lateral-keras",
    version="0.1.0",
    description="Individual fish identification from lateral skin photos, in Keras 3",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.10",
    packages=find_packages(include=["lateral_keras", "lateral_keras.*"]),
    install_requires=[
        "keras>=3.8,<4",
        "tensorflow>=2.16",
        "numpy>=2.0",
        "pyyaml>=6",
        "opencv-python-headless>=4.8",
        "scikit-image>=0.22",
        "tensorboard>=2.16",
        "keras-tuner[bayesian]>=1.4",
    ],
    extras_require={
        "faiss": ["faiss-cpu>=1.8"],
        "jax": ["jax>=0.4.30"],
        "test": ["pytest>=8", "pytest-xdist>=3", "faiss-cpu>=1.8"],
        "lint": ["ruff>=0.6"],
    },
    entry_points={"console_scripts": ["lateral=lateral_keras.cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Image Recognition",
    ],
)
