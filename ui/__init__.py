"""The Gradio web app: `create_app()` returns the Blocks; handlers are plain functions."""
