"""Haven core: configuration, privacy and logging helpers shared by both environments.

This package depends only on the standard library and PyYAML, so that the Rasa server
environment and the action-server environment can both import it.
"""
