"""The web layer: how an HTTP request reaches a view.

``pipeline`` is the per-request pipeline (request id, bearer or feed token, the tenant
named by the URL, the caller's identity) and ``not_found``. It sits below the routes,
which use it, and above the services; ``create_app`` installs it.
"""
