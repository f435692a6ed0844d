"""Composure: the core. Scenarios, persona engine, assessment, quizzes, storage; no Discord."""
