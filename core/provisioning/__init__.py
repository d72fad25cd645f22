"""Provisioning: making counties and townships and applying their files.

``service`` creates a tenant (routes, CLI and files share it), ``tenant_files`` reads and
writes ``tenants/<county>/*.toml``, ``provision`` makes the database match them, and
``plugin_state`` applies a file's ``[plugins.<name>]`` tables through the plugin service.
It sits above the plugin host and the obligations it configures, below the routes and
commands that call it.
"""
