"""Azure: SDK clients, live reads, attribution and the azurerm ↔ ARM mapping."""
