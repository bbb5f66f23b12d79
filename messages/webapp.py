"""What the Mini App and the chat say about it (the page's own labels live in its HTML)."""

from __future__ import annotations

from typing import Final

BUTTON_OPEN_SPACE: Final = "📱 Open our space"
MENU_BUTTON: Final = "Our space"
#: Under /start once paired: the everyday keyboard stays, so the space gets its own line.
START_SPACE: Final = "Your week, your story and your settings, one tap away:"
#: In the chat, after a change made in the Mini App (the change's own words follow).
SAVED_FROM_SPACE: Final = "📱 Saved from your space:\n{text}"

SIGNED_OUT: Final = "Please open this page from the bot's chat in Telegram 💌"
SAY_START: Final = "Say /start to the bot first, then open this page again 🌱"
NOT_PAIRED: Final = "Your space opens once you're paired 💌 Invite your partner from the chat."
BAD_REQUEST: Final = "That didn't look right, so nothing changed."
