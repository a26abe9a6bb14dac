"""The `yanyun` command line."""
