"""Custom Rasa 3.6 NLU graph components for Haven (language, features, entities, danger)."""
