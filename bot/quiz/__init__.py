"""Spaced-revision quizzes: card decks from YAML, FSRS schedules per learner, cohort quizzes."""
