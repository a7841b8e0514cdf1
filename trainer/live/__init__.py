"""Live team sessions: a host paces a room of questions that teammates join by code."""
