"""Custom Rasa 3.6 NLU graph components for Haven (language, features, entities, danger)."""

from haven import rasa_speedups

rasa_speedups.apply()
