"""The evaluation protocol: cross-session verification, identification and open-set figures."""

from lateral_keras.evaluation.pairs import PairScores, protocol_pairs, side_compatibility
from lateral_keras.evaluation.protocol import ProtocolResult, evaluate_protocol
from lateral_keras.evaluation.sessions import enrolment_mask, session_ranks
from lateral_keras.evaluation.similarity import similarity_matrix

__all__ = [
    "PairScores",
    "ProtocolResult",
    "enrolment_mask",
    "evaluate_protocol",
    "protocol_pairs",
    "session_ranks",
    "side_compatibility",
    "similarity_matrix",
]
