"""The two ways to choose and phrase the interviewer's next move: offline (corpus) and LLM."""
