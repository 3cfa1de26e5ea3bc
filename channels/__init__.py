"""Haven's messaging channels: custom Rasa input and output channels.

``telegram`` (python-telegram-bot), ``whatsapp`` and ``sms`` (Twilio) and ``webchat`` (the
embeddable web widget). Each one authenticates and de-duplicates its webhook, pseudonymises the
sender before Rasa sees it, and renders the bot's messages for its medium. See docs/channels.md.
"""

from haven import rasa_speedups

rasa_speedups.apply()
