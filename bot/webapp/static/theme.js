"use strict";
// Telegram's theme from the launch parameters, before the first paint (its own script,
// deferred below so that fetching it never holds the page back, sets the same variables).
try {
  const theme = JSON.parse(new URLSearchParams(location.hash.slice(1)).get("tgWebAppThemeParams") || "{}");
  for (const [key, value] of Object.entries(theme)) {
    document.documentElement.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
  }
} catch (error) { /* opened outside Telegram: the page's own colours */ }
