"""The Gradio demo (`emotts demo`): UI logic lives here so it works from an installed package.

Only ``app``, ``ui`` and ``compare_ui`` import gradio (the ``demo`` extra); the request handling,
plotting and voice caching modules do not, so they can be tested without it.
"""
