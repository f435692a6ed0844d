"""Storage: SQLModel tables, the engine, one transaction per unit of work, repository functions."""
