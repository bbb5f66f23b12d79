"""What the Mini App and the chat say about it (the page's own labels live in its HTML)."""

from __future__ import annotations

from typing import Final

from messages.i18n import N_, translate_constants

BUTTON_OPEN_SPACE: Final = N_("📱 Open our space")
MENU_BUTTON: Final = N_("Our space")
#: Under /start once paired: the everyday keyboard stays, so the space gets its own line.
START_SPACE: Final = N_("Your week, your story and your settings, one tap away:")
#: In the chat, after a change made in the Mini App (the change's own words follow).
SAVED_FROM_SPACE: Final = N_("📱 Saved from your space:\n{text}")

SIGNED_OUT: Final = N_("Please open this page from the bot's chat in Telegram 💌")
SAY_START: Final = N_("Say /start to the bot first, then open this page again 🌱")
NOT_PAIRED: Final = N_("Your space opens once you're paired 💌 Invite your partner from the chat.")
BAD_REQUEST: Final = N_("That didn't look right, so nothing changed.")


translate_constants(__name__)
