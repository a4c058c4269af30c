"""Training: P x K sampling, run folders that resume, stage one (fit) and stage two (IoM)."""
