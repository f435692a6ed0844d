"""Learners' data rights, free of Discord: what is stored about a learner, export, erasure,
retention and the log of who opened whose session. The faces render what these functions return."""
