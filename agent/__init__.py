"""kaoda: an offline-first mock interviewer for LLM / AI engineering jobs."""

__version__ = "0.1.0"
