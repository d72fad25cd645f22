"""deployments (上級部署): what 黨中央, 省委, 市委 and 縣委 deploy, recorded by the township
itself, each task an obligation due at its deadline (W1)."""

from zerenzhi.plugins.deployments.plugin import DeploymentsPlugin

plugin = DeploymentsPlugin()

__all__ = ["DeploymentsPlugin", "plugin"]
