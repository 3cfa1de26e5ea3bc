"""Haven's knowledge base: reviewed FAQ entries and local services, searched across languages.

``knowledge_base.content`` (loading the YAML) is pure Python + PyYAML so the Rasa server can import
it; the search modules (``embedding``, ``index``, ``search``) import numpy and FAISS.
"""
