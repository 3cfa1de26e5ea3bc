"""Haven custom actions for the rasa-sdk action server.

Start with ``python -m rasa_sdk --actions actions``; every module of this package is loaded
and each :class:`rasa_sdk.Action` subclass is registered under its ``name()``.
"""
