"""The web console: server-rendered pages over the API's services (issue 14).

``install`` mounts it in ``create_app``; plugins add pages through the ``register_pages``
hook (``zerenzhi.Pages``); pages use ``render_page`` and ``Form`` from the face.
"""

from zerenzhi.console.forms import Form, load_query
from zerenzhi.console.pages import bp, render_page
from zerenzhi.console.setup import choose_language, install

__all__ = ["Form", "bp", "choose_language", "install", "load_query", "render_page"]
