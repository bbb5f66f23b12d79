"""The Telegram Mini App: the couple's week, history, moments and settings in one page.

``webapp_routes`` gives the Starlette routes (the page, its static files, the JSON API);
``serve`` runs them on ``WEB_APP_PORT`` beside long polling. Every API call carries
``Telegram.WebApp.initData``, checked as Telegram specifies (:mod:`bot.webapp.init_data`).
"""

from bot.webapp.routes import webapp_routes

__all__ = ["webapp_routes"]
