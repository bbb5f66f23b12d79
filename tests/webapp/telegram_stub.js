// Tests only: a stand-in for https://telegram.org/js/telegram-web-app.js, which a test
// cannot fetch offline. Like Telegram's script it reads the launch parameters from the URL
// fragment (#tgWebAppData=...&tgWebAppThemeParams=...) and sets the --tg-theme-* variables.
(function () {
  "use strict";
  const params = new URLSearchParams(location.hash.slice(1));
  const initData = params.get("tgWebAppData") || "";
  const themeParams = JSON.parse(params.get("tgWebAppThemeParams") || "{}");
  const root = document.documentElement.style;
  for (const [key, value] of Object.entries(themeParams)) {
    root.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
  }
  const hex = (themeParams.bg_color || "#ffffff").replace("#", "");
  const light = parseInt(hex.slice(0, 2), 16) + parseInt(hex.slice(2, 4), 16) + parseInt(hex.slice(4, 6), 16) > 382;
  const calls = [];
  const button = (name) => ({
    isVisible: false,
    show() { this.isVisible = true; calls.push(name + ".show"); return this; },
    hide() { this.isVisible = false; calls.push(name + ".hide"); return this; },
    onClick(callback) { this.callback = callback; return this; },
  });
  window.Telegram = {
    WebApp: {
      initData,
      initDataUnsafe: Object.fromEntries(new URLSearchParams(initData)),
      version: params.get("tgWebAppVersion") || "8.0",
      platform: params.get("tgWebAppPlatform") || "unknown",
      colorScheme: light ? "light" : "dark",
      themeParams,
      calls,
      ready() { calls.push("ready"); },
      expand() { calls.push("expand"); },
      BackButton: button("BackButton"),
      MainButton: button("MainButton"),
      HapticFeedback: { notificationOccurred(kind) { calls.push("haptic." + kind); } },
    },
  };
})();
