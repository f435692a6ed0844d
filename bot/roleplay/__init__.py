"""The role-play: the persona engine, the session service that stores every turn, the report."""
