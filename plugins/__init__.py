"""Built-in plugins: each a package registered under the `zerenzhi.plugins` entry points."""
