"""Long-lived services that are neither Telegram handlers nor SQL."""
