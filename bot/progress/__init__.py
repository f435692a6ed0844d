"""Progress a learner and a mentor can see: mark trends, quiz retention, streaks, the next practice."""
